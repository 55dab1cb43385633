package routing

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Chats: conversations from every chat channel, a kind of work the same
// engine routes. An agent holds up to their capacity of chats at once
// (chat.capacity, their team's, their own); the voice rule says how chats
// and calls mix. A chat waits in a queue, in priority then arrival order,
// and goes to the member with the most room (fewest chats held, then the
// longest without a new one) within the queue's skills and penalty
// limits, widened by its escalation steps as it waits. Every step is a
// chat.* record (records_chat.go); the messages are records too, so the
// transcript is the log.

// chatConv is one conversation's live state.
type chatConv struct {
	id, channel, from, name, origin string
	queue                           string
	customer                        int64
	priority                        int

	state string
	agent string // offered to or held by
	// openedAt: the start; queuedAt: since when it waits in its queue
	// (a transfer to a queue restarts it); the rest as named.
	openedAt, queuedAt, acceptedAt, firstAt, closedAt time.Time
	lastCustomer                                      time.Time
	reason, disposition                               string
	score                                             int
	skipped                                           []string // agents not offered it again

	seq  int64
	msgs []ChatMessage // the last chat.keep_messages
	// msgIDs maps the channel's message IDs seen to their seq.
	msgIDs map[string]int64
}

// chats holds the conversations and decides who gets each.
type chats struct {
	*effects
	cfg       *Config
	ids       IDs
	agents    map[string]*agent
	roster    *roster
	acd       *acd
	calendars *calendars

	convs  map[string]*chatConv // open, and the last closed ones
	closed []string             // closed IDs, oldest first, bounded
	// opened maps a channel's first-message ID to its chat: an Open
	// repeated by the channel (WeChat retries a push) is the same chat.
	opened map[string]string
	// dirty: something changed that may let a waiting chat go to an
	// agent; settle looks once per input.
	dirty bool
}

func newChats(fx *effects, ids IDs, agents map[string]*agent, ro *roster, ac *acd, cal *calendars) *chats {
	return &chats{effects: fx, ids: ids, agents: agents, roster: ro, acd: ac, calendars: cal,
		convs: map[string]*chatConv{}, opened: map[string]string{}}
}

func (ch *chats) command(cmd chatCommand) (any, error) {
	switch cmd.Op {
	case "open":
		return ch.open(cmd.Open)
	case "post":
		return ch.post(cmd.Post)
	case "accept":
		return ch.accept(cmd.Request)
	case "transfer":
		return ch.transfer(cmd.Transfer)
	case "close":
		return ch.closeChat(cmd.Close)
	case "rate":
		return ch.rate(cmd.Rate)
	case "list":
		return ch.list(cmd.Filter), nil
	case "get":
		return ch.transcript(cmd)
	}
	return nil, &FieldError{Field: "op", Reason: "unknown chat command " + cmd.Op}
}

// Limits on what a channel may hand in.
const (
	maxChatAddress = 200
	maxChatName    = 100
	maxChatNotes   = 2000
	maxChatComment = 500
	maxChatMsgID   = 128
)

func (ch *chats) open(r *ChatOpen) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "open", Reason: "is required"}
	}
	queue := r.Queue
	if queue == "" {
		queue = ch.cfg.Chat.Queue
	}
	switch {
	case r.Channel != ChannelWeb && r.Channel != ChannelWeChat:
		return nil, &FieldError{Field: "channel", Reason: "must be web or wechat"}
	case strings.TrimSpace(r.From) == "" || len(r.From) > maxChatAddress:
		return nil, &FieldError{Field: "from", Reason: "is required, at most " + strconv.Itoa(maxChatAddress) + " bytes"}
	case utf8.RuneCountInString(r.Name) > maxChatName:
		return nil, &FieldError{Field: "name", Reason: "longer than " + strconv.Itoa(maxChatName) + " characters"}
	case len(r.Origin) > maxChatAddress:
		return nil, &FieldError{Field: "origin", Reason: "longer than " + strconv.Itoa(maxChatAddress) + " bytes"}
	case queue == "":
		return nil, &FieldError{Field: "queue", Reason: "is required (no chat.queue configured)"}
	case ch.cfg.Queues[queue] == nil:
		return nil, &FieldError{Field: "queue", Reason: "unknown queue " + strconv.Quote(queue)}
	case len(r.MsgID) > maxChatMsgID:
		return nil, &FieldError{Field: "msg_id", Reason: "longer than " + strconv.Itoa(maxChatMsgID) + " bytes"}
	}
	if r.Text != "" || r.Attachment != nil {
		if err := ch.checkMessage(r.Text, r.Attachment); err != nil {
			return nil, err
		}
	}
	if r.MsgID != "" {
		if id := ch.opened[r.Channel+"\x00"+r.MsgID]; id != "" && ch.convs[id] != nil {
			return ch.view(ch.convs[id]), nil
		}
	}
	cv := &chatConv{
		id: ch.ids("chat"), channel: r.Channel, from: r.From, name: r.Name, origin: r.Origin, queue: queue,
		customer: r.Customer, priority: r.Priority, state: ChatWaiting, openedAt: ch.now, queuedAt: ch.now,
		lastCustomer: ch.now, msgIDs: map[string]int64{},
	}
	ch.convs[cv.id] = cv
	if r.MsgID != "" {
		ch.remember(r.Channel+"\x00"+r.MsgID, cv.id)
	}
	ch.record(&Record{Type: EvChatOpened, Queue: queue}, ChatData{
		ID: cv.id, Channel: cv.channel, From: cv.from, Name: cv.name, Customer: cv.customer, Origin: cv.origin,
		Priority: cv.priority,
	})
	if r.Text != "" || r.Attachment != nil {
		ch.message(cv, ChatFromCustomer, "", "", r.Text, r.MsgID, r.Attachment, false)
	}
	if cal := ch.cfg.Chat.Calendar; cal != "" && !ch.calendars.isOpen(cal) {
		ch.end(cv, ChatCloseOffline, "", "", "")
		return ch.view(cv), nil
	}
	ch.queued(cv)
	return ch.view(cv), nil
}

// remember keeps a channel message ID → chat for repeats, bounded.
func (ch *chats) remember(key, id string) {
	if len(ch.opened) >= 4*keepClosed {
		clear(ch.opened) // a retry comes within seconds; old IDs may go
	}
	ch.opened[key] = id
}

// checkMessage is a message's text and file against the limits.
func (ch *chats) checkMessage(text string, att *ChatAttachment) error {
	if strings.TrimSpace(text) == "" && att == nil {
		return &FieldError{Field: "text", Reason: "is required (or an attachment)"}
	}
	if max := ch.maxMessage(); utf8.RuneCountInString(text) > max {
		return &FieldError{Field: "text", Reason: "longer than " + strconv.Itoa(max) + " characters (chat.max_message)"}
	}
	if !utf8.ValidString(text) {
		return &FieldError{Field: "text", Reason: "is not valid UTF-8"}
	}
	if att != nil {
		switch {
		case att.Name == "" || len(att.Name) > 255:
			return &FieldError{Field: "attachment.name", Reason: "is required, at most 255 bytes"}
		case att.Type == "" || len(att.Type) > 100:
			return &FieldError{Field: "attachment.type", Reason: "is required, at most 100 bytes"}
		case att.Size <= 0:
			return &FieldError{Field: "attachment.size", Reason: "must be greater than 0"}
		case att.Ref == "" || len(att.Ref) > 255:
			return &FieldError{Field: "attachment.ref", Reason: "is required, at most 255 bytes"}
		}
	}
	return nil
}

func (ch *chats) maxMessage() int {
	if ch.cfg.Chat.MaxMessage > 0 {
		return ch.cfg.Chat.MaxMessage
	}
	return DefaultChatMaxMessage
}

// message records one message and keeps it for the transcript.
func (ch *chats) message(cv *chatConv, sender, agent, by, text, msgID string, att *ChatAttachment, whisper bool) ChatMessage {
	cv.seq++
	first := sender == ChatFromAgent && cv.firstAt.IsZero()
	if first {
		cv.firstAt = ch.now
	}
	if msgID != "" {
		cv.msgIDs[msgID] = cv.seq
	}
	ch.record(&Record{Type: EvChatMessage, AgentID: agent, Queue: cv.queue}, ChatData{
		ID: cv.id, Seq: cv.seq, Sender: sender, Agent: agent, By: by, Text: text, Attachment: att,
		Whisper: whisper, First: first, MsgID: msgID,
	})
	m := ChatMessage{Chat: cv.id, Seq: cv.seq, Time: ch.now, Sender: sender, Agent: agent, Text: text, Attachment: att, Whisper: whisper}
	ch.keep(cv, m)
	return m
}

func (ch *chats) keep(cv *chatConv, m ChatMessage) {
	keep := ch.cfg.Chat.KeepMessages
	if keep <= 0 {
		keep = DefaultChatKeepMessages
	}
	cv.msgs = append(cv.msgs, m)
	if len(cv.msgs) > keep {
		cv.msgs = slices.Delete(cv.msgs, 0, len(cv.msgs)-keep)
	}
}

func (ch *chats) post(r *ChatPost) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "post", Reason: "is required"}
	}
	cv := ch.convs[r.Chat]
	if cv == nil {
		return nil, ErrNoSuchChat
	}
	if len(r.MsgID) > maxChatMsgID {
		return nil, &FieldError{Field: "msg_id", Reason: "longer than " + strconv.Itoa(maxChatMsgID) + " bytes"}
	}
	if seq, ok := cv.msgIDs[r.MsgID]; ok && r.MsgID != "" {
		if m := cv.kept(seq); m != nil {
			return *m, nil // the channel sent it again: the same message
		}
	}
	if err := ch.checkMessage(r.Text, r.Attachment); err != nil {
		return nil, err
	}
	whisper, agent := false, ""
	switch r.Sender {
	case ChatFromCustomer:
		if cv.state == ChatClosed {
			return nil, ch.closedErr(cv)
		}
	case ChatFromAgent:
		a, err := ch.holder(cv, r.Agent, r.Scope)
		if err != nil {
			return nil, err
		}
		if cv.state == ChatOffered {
			ch.take(cv, a, r.By) // replying takes the chat
		}
		agent = a.id
	case ChatFromSupervisor:
		if r.By == "" {
			return nil, &FieldError{Field: "by", Reason: "is required for a whisper"}
		}
		if cv.state != ChatActive {
			return nil, &PolicyError{Code: RefuseNotHolder, Message: "chat " + cv.id + " has no agent to whisper to (" + cv.state + ")"}
		}
		if !ch.inScope(cv, r.Scope) {
			return nil, ErrNotYourCall
		}
		whisper, agent = true, cv.agent
	case ChatFromSystem:
		if r.By == "" {
			return nil, &FieldError{Field: "by", Reason: "is required for a system message"}
		}
	default:
		return nil, &FieldError{Field: "sender", Reason: "must be customer, agent, supervisor or system"}
	}
	m := ch.message(cv, r.Sender, agent, r.By, r.Text, r.MsgID, r.Attachment, whisper)
	if r.Sender == ChatFromCustomer {
		cv.lastCustomer = ch.now
		if cv.state == ChatActive {
			ch.setTimer(timerChatIdle(cv), ch.idleClose())
		}
	}
	return m, nil
}

func (cv *chatConv) kept(seq int64) *ChatMessage {
	for i := range cv.msgs {
		if cv.msgs[i].Seq == seq {
			return &cv.msgs[i]
		}
	}
	return nil
}

func (ch *chats) closedErr(cv *chatConv) error {
	return &PolicyError{Code: RefuseChatClosed, Message: "chat " + cv.id + " has ended (" + cv.reason + ")"}
}

// holder is agent id, who holds cv or was offered it, within scope.
func (ch *chats) holder(cv *chatConv, id string, scope Scope) (*agent, error) {
	a := ch.agents[id]
	if a == nil {
		return nil, ErrUnknownAgent
	}
	if !inScope(a, scope.Agent, scope.Team) {
		return nil, ErrNotYourCall
	}
	if cv.state == ChatClosed {
		return nil, ch.closedErr(cv)
	}
	if cv.agent != a.id || (cv.state != ChatActive && cv.state != ChatOffered) {
		return nil, &PolicyError{Code: RefuseNotHolder, Message: "chat " + cv.id + " is " + cv.state + ", not held by " + a.id}
	}
	return a, nil
}

func (ch *chats) accept(r *ChatRequest) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "request", Reason: "is required"}
	}
	cv := ch.convs[r.Chat]
	if cv == nil {
		return nil, ErrNoSuchChat
	}
	a, err := ch.holder(cv, r.Agent, r.Scope)
	if err != nil {
		return nil, err
	}
	if cv.state == ChatOffered {
		ch.take(cv, a, r.By)
	}
	return ch.view(cv), nil
}

// take: the agent accepts the chat offered to them.
func (ch *chats) take(cv *chatConv, a *agent, by string) {
	ch.cancelTimer(timerChatOffer(cv))
	cv.state, cv.acceptedAt = ChatActive, ch.now
	ch.record(&Record{Type: EvChatAccepted, AgentID: a.id, Queue: cv.queue}, ChatData{ID: cv.id, Agent: a.id, By: by})
	ch.setTimer(timerChatIdle(cv), ch.idleClose())
}

func (ch *chats) idleClose() time.Duration {
	if ch.cfg.Chat.IdleClose > 0 {
		return ch.cfg.Chat.IdleClose.D()
	}
	return DefaultChatIdleClose.D()
}

func (ch *chats) transfer(r *ChatTransfer) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "transfer", Reason: "is required"}
	}
	cv := ch.convs[r.Chat]
	if cv == nil {
		return nil, ErrNoSuchChat
	}
	switch {
	case (r.ToQueue == "") == (r.ToAgent == ""):
		return nil, &FieldError{Field: "to_queue", Reason: "exactly one of to_queue and to_agent is required"}
	case r.ToQueue != "" && ch.cfg.Queues[r.ToQueue] == nil:
		return nil, &FieldError{Field: "to_queue", Reason: "unknown queue " + strconv.Quote(r.ToQueue)}
	case r.ToAgent != "" && ch.agents[r.ToAgent] == nil:
		return nil, &FieldError{Field: "to_agent", Reason: "unknown agent " + strconv.Quote(r.ToAgent)}
	case r.ToAgent != "" && r.ToAgent == r.Agent:
		return nil, &FieldError{Field: "to_agent", Reason: "is the agent who holds the chat"}
	}
	from, err := ch.holder(cv, r.Agent, r.Scope)
	if err != nil {
		return nil, err
	}
	var to *agent
	if r.ToAgent != "" {
		to = ch.agents[r.ToAgent]
		if why := ch.canTake(to); why != "" {
			return nil, &PolicyError{Code: RefuseNoRoom, Field: "to_agent", Message: "agent " + to.id + " cannot take a chat now (" + why + ")"}
		}
	}
	ch.cancelTimer(timerChatOffer(cv))
	ch.cancelTimer(timerChatIdle(cv))
	ch.record(&Record{Type: EvChatTransferred, AgentID: from.id, Queue: cv.queue}, ChatData{
		ID: cv.id, Agent: from.id, By: r.By, ToQueue: r.ToQueue, ToAgent: r.ToAgent,
	})
	ch.release(cv, from)
	cv.skipped = []string{from.id}
	if to != nil {
		ch.offer(cv, to, []ChatCandidate{{Agent: to.id, Held: to.chats, Room: ch.room(to)}}, "transfer")
		return ch.view(cv), nil
	}
	cv.queue = r.ToQueue
	ch.queued(cv)
	return ch.view(cv), nil
}

func (ch *chats) closeChat(r *ChatClose) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "close", Reason: "is required"}
	}
	cv := ch.convs[r.Chat]
	if cv == nil {
		return nil, ErrNoSuchChat
	}
	if utf8.RuneCountInString(r.Notes) > maxChatNotes {
		return nil, &FieldError{Field: "notes", Reason: "longer than " + strconv.Itoa(maxChatNotes) + " characters"}
	}
	switch r.Sender {
	case ChatFromAgent:
		a, err := ch.holder(cv, r.Agent, r.Scope)
		if err != nil {
			return nil, err
		}
		if !ch.isDisposition(r.Disposition) {
			return nil, ch.badDisposition()
		}
		ch.end(cv, ChatCloseAgent, a.id, r.Disposition, r.Notes)
	case ChatFromCustomer:
		if cv.state == ChatClosed {
			return nil, ch.closedErr(cv)
		}
		reason := ChatCloseCustomer
		if cv.acceptedAt.IsZero() {
			reason = ChatCloseAbandoned
		}
		ch.end(cv, reason, "", "", "")
	default:
		return nil, &FieldError{Field: "sender", Reason: "must be agent or customer"}
	}
	return ch.view(cv), nil
}

func (ch *chats) isDisposition(code string) bool {
	return slices.ContainsFunc(ch.cfg.Dispositions, func(d Disposition) bool { return d.Code == code })
}

func (ch *chats) badDisposition() error {
	codes := make([]string, 0, len(ch.cfg.Dispositions))
	for _, x := range ch.cfg.Dispositions {
		codes = append(codes, x.Code)
	}
	return &FieldError{Field: "disposition", Reason: "must be one of the configured dispositions: " + strings.Join(codes, ", ")}
}

// end closes cv for reason; its agent (if any) gets the room back.
func (ch *chats) end(cv *chatConv, reason, by, disposition, notes string) {
	ch.cancelTimer(timerChatOffer(cv))
	ch.cancelTimer(timerChatIdle(cv))
	ch.cancelTimer(timerChatEscalate(cv))
	ch.record(&Record{Type: EvChatClosed, AgentID: cv.agent, Queue: cv.queue}, ChatData{
		ID: cv.id, Agent: cv.agent, By: by, Reason: reason, Disposition: disposition, Notes: notes,
	})
	if a := ch.agents[cv.agent]; a != nil && (cv.state == ChatActive || cv.state == ChatOffered) {
		ch.release(cv, a)
	}
	cv.state, cv.reason, cv.disposition, cv.closedAt = ChatClosed, reason, disposition, ch.now
	ch.closed = append(ch.closed, cv.id)
	if len(ch.closed) > keepClosed {
		delete(ch.convs, ch.closed[0])
		ch.closed = ch.closed[1:]
	}
}

// release gives a the room cv took; a voice rule that kept calls from a
// while they held chats lets them have one now.
func (ch *chats) release(cv *chatConv, a *agent) {
	cv.agent = ""
	if a.chats > 0 {
		a.chats--
	}
	a.chatSince = ch.now
	ch.dirty = true
	if a.chats == 0 && chatBlocksVoice(ch.cfg) && a.state == Ready {
		ch.roster.onReady(a)
	}
}

func (ch *chats) rate(r *ChatRate) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "rate", Reason: "is required"}
	}
	cv := ch.convs[r.Chat]
	switch {
	case cv == nil:
		return nil, ErrNoSuchChat
	case r.Score < 1 || r.Score > 5:
		return nil, &FieldError{Field: "score", Reason: "must be 1-5"}
	case utf8.RuneCountInString(r.Comment) > maxChatComment:
		return nil, &FieldError{Field: "comment", Reason: "longer than " + strconv.Itoa(maxChatComment) + " characters"}
	case cv.state != ChatClosed:
		return nil, &PolicyError{Code: "chat_open", Message: "chat " + cv.id + " is rated once it has ended"}
	case cv.score != 0:
		return nil, &PolicyError{Code: "already_rated", Message: "chat " + cv.id + " is rated already"}
	}
	cv.score = r.Score
	ch.record(&Record{Type: EvChatRated, Queue: cv.queue}, ChatData{ID: cv.id, Score: r.Score, Comment: r.Comment})
	return ch.view(cv), nil
}

// queued: cv waits in its queue from now; settle offers it.
func (ch *chats) queued(cv *chatConv) {
	cv.state, cv.agent, cv.queuedAt = ChatWaiting, "", ch.now
	ch.dirty = true
	ch.escalateTimer(cv)
}

// escalateTimer wakes the engine when cv's next escalation step is due.
func (ch *chats) escalateTimer(cv *chatConv) {
	q := ch.cfg.Queues[cv.queue]
	if q == nil {
		return
	}
	waited := ch.now.Sub(cv.queuedAt)
	for _, st := range q.Escalation {
		if st.After.D() > waited {
			ch.setTimer(timerChatEscalate(cv), st.After.D()-waited)
			return
		}
	}
}

// The voice rule, read both ways.
func chatBlocksVoice(cfg *Config) bool {
	return cfg.Chat.VoiceRule == ChatBlocksVoice || cfg.Chat.VoiceRule == VoiceExclusive
}

func voiceBlocksChat(cfg *Config) bool {
	r := cfg.Chat.VoiceRule
	return r == "" || r == VoiceBlocksChat || r == VoiceExclusive
}

// capacity is how many chats a may hold: theirs, their team's, the
// config's, in that order.
func (ch *chats) capacity(a *agent) int {
	if a.chatCap != nil {
		return *a.chatCap
	}
	if t := ch.cfg.Teams[a.team]; t != nil && t.Chat != nil {
		return *t.Chat
	}
	if ch.cfg.Chat.Capacity != nil {
		return *ch.cfg.Chat.Capacity
	}
	return DefaultChatCapacity
}

func (ch *chats) room(a *agent) int { return max(0, ch.capacity(a)-a.chats) }

// canTake is why a cannot be given a chat now ("" if they can).
func (ch *chats) canTake(a *agent) string {
	switch {
	case a.state == SignedOut:
		return "signed_out"
	case a.state == NotReady:
		return "not_ready"
	case ch.capacity(a) == 0:
		return RefuseNoChats
	case a.chats >= ch.capacity(a):
		return "full"
	case voiceBlocksChat(ch.cfg) && a.state != Ready:
		return "on_call"
	}
	return ""
}

// settle offers waiting chats to agents with room, best first; called
// once per input, after it was handled. An agent's change of state may
// make room (ready again) or take it (signed out: their chats go back to
// their queues, first in line).
func (ch *chats) settle() {
	for _, r := range ch.out.Records {
		if r.Type != EvAgentState {
			continue
		}
		ch.dirty = true
		if a := ch.agents[r.AgentID]; a != nil && a.state == SignedOut && a.chats > 0 {
			ch.requeueHeld(a)
		}
	}
	if !ch.dirty || len(ch.convs) == 0 {
		return
	}
	ch.dirty = false
	var waiting []*chatConv
	for _, cv := range ch.convs {
		if cv.state == ChatWaiting {
			waiting = append(waiting, cv)
		}
	}
	slices.SortFunc(waiting, func(x, y *chatConv) int {
		switch {
		case x.priority != y.priority:
			return y.priority - x.priority
		case !x.queuedAt.Equal(y.queuedAt):
			return x.queuedAt.Compare(y.queuedAt)
		}
		return strings.Compare(x.id, y.id)
	})
	for _, cv := range waiting {
		ch.assign(cv)
	}
}

// requeueHeld puts the chats a signed-out agent held back in their
// queues, keeping their place.
func (ch *chats) requeueHeld(a *agent) {
	for _, id := range sortedKeys(ch.convs) {
		cv := ch.convs[id]
		if cv.agent != a.id || (cv.state != ChatActive && cv.state != ChatOffered) {
			continue
		}
		ch.cancelTimer(timerChatOffer(cv))
		ch.cancelTimer(timerChatIdle(cv))
		ch.record(&Record{Type: EvChatTransferred, AgentID: a.id, Queue: cv.queue}, ChatData{
			ID: cv.id, Agent: a.id, By: "signed_out", ToQueue: cv.queue,
		})
		ch.release(cv, a)
		queuedAt := cv.queuedAt
		ch.queued(cv)
		cv.queuedAt = queuedAt
	}
}

// chatNeed is what a chat's queue asks of an agent after it waited: the
// escalation steps passed widen it.
type chatNeed struct {
	skills     *SkillExpr
	maxPenalty int // -1: any
	queues     []string
}

func (ch *chats) need(cv *chatConv) (chatNeed, string) {
	q := ch.cfg.Queues[cv.queue]
	n := chatNeed{skills: q.Skills, maxPenalty: -1, queues: []string{cv.queue}}
	if q.MaxPenalty != nil {
		n.maxPenalty = *q.MaxPenalty
	}
	waited := ch.now.Sub(cv.queuedAt)
	for _, st := range q.Escalation {
		if st.After.D() > waited {
			break
		}
		if st.Skills != nil {
			n.skills = st.Skills
		}
		if st.MaxPenalty != nil {
			n.maxPenalty = *st.MaxPenalty
		}
		n.queues = append(n.queues, st.AddQueues...)
		if st.Overflow != nil && st.Overflow.Queue != "" && st.Overflow.Queue != cv.queue {
			return n, st.Overflow.Queue
		}
	}
	return n, ""
}

// assign gives cv to the best agent who can take it, if any, recording
// the decision either way it changes something.
func (ch *chats) assign(cv *chatConv) {
	n, overflow := ch.need(cv)
	if overflow != "" {
		ch.record(&Record{Type: EvChatTransferred, Queue: cv.queue}, ChatData{ID: cv.id, By: "escalation", ToQueue: overflow})
		cv.queue = overflow
		ch.queued(cv)
		n, _ = ch.need(cv)
	}
	var (
		cands []ChatCandidate
		best  *agent
		bestP int
		seen  = map[string]bool{}
	)
	for _, qn := range n.queues {
		qs := ch.acd.queues[qn]
		if qs == nil {
			continue
		}
		for _, a := range qs.members {
			if seen[a.id] {
				continue
			}
			seen[a.id] = true
			pen, why := ch.eligible(a, cv, n)
			cands = append(cands, ChatCandidate{Agent: a.id, Held: a.chats, Room: ch.room(a), Why: why})
			if why == "" && (best == nil || ch.better(a, pen, best, bestP)) {
				best, bestP = a, pen
			}
		}
	}
	if best == nil {
		return
	}
	ch.offer(cv, best, cands, "queue")
}

// better: a (at penalty pa) comes before b (at pb): the lowest penalty
// tier, then the most room, then the longest without a new chat, then
// config order.
func (ch *chats) better(a *agent, pa int, b *agent, pb int) bool {
	if pa != pb {
		return pa < pb
	}
	if ra, rb := ch.room(a), ch.room(b); ra != rb {
		return ra > rb
	}
	if !a.chatSince.Equal(b.chatSince) {
		return a.chatSince.Before(b.chatSince)
	}
	return a.order < b.order
}

func (ch *chats) eligible(a *agent, cv *chatConv, n chatNeed) (int, string) {
	if why := ch.canTake(a); why != "" {
		return 0, why
	}
	if slices.Contains(cv.skipped, a.id) {
		return 0, "skipped"
	}
	pen, ok := -1, false
	for _, q := range n.queues {
		if p, in := a.penalty[q]; in && (!ok || p < pen) {
			pen, ok = p, true
		}
	}
	if !ok {
		return 0, "not_member"
	}
	if n.maxPenalty >= 0 && pen > n.maxPenalty {
		return pen, "penalty"
	}
	if n.skills != nil && !n.skills.Match(a.skills) {
		return pen, "skills"
	}
	return pen, ""
}

// offer reserves room on a for cv: accepted at once with auto_accept,
// else within chat.offer_timeout.
func (ch *chats) offer(cv *chatConv, a *agent, cands []ChatCandidate, trigger string) {
	ch.cancelTimer(timerChatEscalate(cv))
	ch.record(&Record{Type: EvChatDecision, AgentID: a.id, Queue: cv.queue}, ChatData{ID: cv.id, Agent: a.id, Reason: trigger, Candidates: cands})
	cv.state, cv.agent = ChatOffered, a.id
	a.chats++
	a.chatSince = ch.now
	ch.record(&Record{Type: EvChatOffered, AgentID: a.id, Queue: cv.queue}, ChatData{ID: cv.id, Agent: a.id})
	if ch.cfg.Chat.AutoAccept {
		ch.take(cv, a, "auto")
		return
	}
	ch.setTimer(timerChatOffer(cv), ch.offerTimeout())
}

func (ch *chats) offerTimeout() time.Duration {
	if ch.cfg.Chat.OfferTimeout > 0 {
		return ch.cfg.Chat.OfferTimeout.D()
	}
	return DefaultChatOfferTimeout.D()
}

// timer handles the chat timers: an offer not accepted, a customer gone
// silent, an escalation step due.
func (ch *chats) timer(kind, id string) {
	cv := ch.convs[id]
	if cv == nil {
		return
	}
	switch kind {
	case "chatoffer":
		if cv.state != ChatOffered {
			return
		}
		a := ch.agents[cv.agent]
		ch.record(&Record{Type: EvChatOfferExpired, AgentID: cv.agent, Queue: cv.queue}, ChatData{ID: cv.id, Agent: cv.agent})
		if a != nil {
			ch.release(cv, a)
			cv.skipped = append(cv.skipped, a.id)
		}
		cv.state, cv.agent = ChatWaiting, ""
		ch.dirty = true
		ch.escalateTimer(cv)
	case "chatidle":
		if cv.state != ChatActive {
			return
		}
		if left := ch.idleClose() - ch.now.Sub(cv.lastCustomer); left > 0 {
			ch.setTimer(timerChatIdle(cv), left)
			return
		}
		ch.end(cv, ChatCloseIdle, "", "", "")
	case "chatesc":
		if cv.state == ChatWaiting {
			ch.dirty = true
			ch.escalateTimer(cv)
		}
	}
}

func (ch *chats) inScope(cv *chatConv, s Scope) bool {
	if s.Agent == "" && s.Team == "" {
		return true
	}
	if a := ch.agents[cv.agent]; a != nil && cv.agent != "" {
		return inScope(a, s.Agent, s.Team)
	}
	if s.Agent != "" {
		return false // an agent sees the chats they hold or were offered
	}
	for _, a := range ch.agents {
		if a.serves(cv.queue) && inScope(a, "", s.Team) {
			return true
		}
	}
	return false
}

func (ch *chats) list(f *ChatFilter) []ChatView {
	if f == nil {
		f = &ChatFilter{}
	}
	out := []ChatView{}
	for _, id := range sortedKeys(ch.convs) {
		cv := ch.convs[id]
		switch {
		case f.State == "" && cv.state == ChatClosed:
			continue
		case f.State != "" && cv.state != f.State:
			continue
		case f.Agent != "" && cv.agent != f.Agent:
			continue
		case !ch.inScope(cv, f.Scope):
			continue
		}
		out = append(out, ch.view(cv))
	}
	return out
}

func (ch *chats) transcript(cmd chatCommand) (any, error) {
	cv := ch.convs[cmd.Chat]
	if cv == nil {
		return nil, ErrNoSuchChat
	}
	if cmd.Filter != nil && !ch.inScope(cv, cmd.Filter.Scope) {
		return nil, ErrNotYourCall
	}
	t := ChatTranscript{Chat: ch.view(cv), Messages: []ChatMessage{}}
	for _, m := range cv.msgs {
		if m.Seq > cmd.After && (!m.Whisper || cmd.WithWhispers) {
			t.Messages = append(t.Messages, m)
		}
	}
	return t, nil
}

func (ch *chats) view(cv *chatConv) ChatView {
	v := ChatView{
		ID: cv.id, Channel: cv.channel, Queue: cv.queue, From: cv.from, Name: cv.name, Customer: cv.customer,
		Origin: cv.origin, State: cv.state, Agent: cv.agent, OpenedAt: cv.openedAt, QueuedAt: cv.queuedAt,
		Reason: cv.reason, Disposition: cv.disposition, Score: cv.score, LastSeq: cv.seq,
	}
	v.AcceptedAt, v.FirstResponse, v.ClosedAt = timePtr(cv.acceptedAt), timePtr(cv.firstAt), timePtr(cv.closedAt)
	return v
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timerChatOffer(cv *chatConv) string    { return "chatoffer:" + cv.id }
func timerChatIdle(cv *chatConv) string     { return "chatidle:" + cv.id }
func timerChatEscalate(cv *chatConv) string { return "chatesc:" + cv.id }
