package routing

import (
	"context"
	"fmt"
	"slices"
)

// foldChats rebuilds the conversations from their chat.* records in log
// order: an active chat comes back with its agent (the conversation
// outlives a restart: the customer's and the agent's pages reconnect),
// an offered one waits again (the offer's timer died with the process),
// the closed ones as they ended; messages back to chat.keep_messages.
func foldChats(recs []Record, keep int) (map[string]*chatConv, []string, error) {
	if keep <= 0 {
		keep = DefaultChatKeepMessages
	}
	convs := map[string]*chatConv{}
	var closed []string
	for i := range recs {
		r := &recs[i]
		d, err := Decode[ChatData](r)
		if err != nil {
			return nil, nil, fmt.Errorf("chat record seq %d: %w", r.Seq, err)
		}
		if r.Type == EvChatOpened {
			convs[d.ID] = &chatConv{
				id: d.ID, channel: d.Channel, from: d.From, name: d.Name, origin: d.Origin, queue: r.Queue,
				customer: d.Customer, priority: d.Priority, state: ChatWaiting, openedAt: r.Time, queuedAt: r.Time,
				lastCustomer: r.Time, msgIDs: map[string]int64{},
			}
			continue
		}
		cv := convs[d.ID]
		if cv == nil {
			continue // opened before the records read
		}
		switch r.Type {
		case EvChatOffered:
			cv.state, cv.agent = ChatOffered, d.Agent
		case EvChatAccepted:
			cv.state, cv.acceptedAt = ChatActive, r.Time
		case EvChatOfferExpired:
			cv.state, cv.agent = ChatWaiting, ""
			cv.skipped = append(cv.skipped, d.Agent)
		case EvChatTransferred:
			cv.state, cv.agent, cv.queuedAt = ChatWaiting, "", r.Time
			if d.Agent != "" {
				cv.skipped = []string{d.Agent}
			}
			if d.ToQueue != "" {
				cv.queue = d.ToQueue
			}
		case EvChatMessage:
			cv.seq = d.Seq
			if d.First {
				cv.firstAt = r.Time
			}
			if d.Sender == ChatFromCustomer {
				cv.lastCustomer = r.Time
			}
			if d.MsgID != "" {
				cv.msgIDs[d.MsgID] = d.Seq
			}
			cv.msgs = append(cv.msgs, ChatMessage{Chat: cv.id, Seq: d.Seq, Time: r.Time, Sender: d.Sender, Agent: d.Agent,
				Text: d.Text, Attachment: d.Attachment, Whisper: d.Whisper})
			if len(cv.msgs) > keep {
				cv.msgs = slices.Delete(cv.msgs, 0, len(cv.msgs)-keep)
			}
		case EvChatClosed:
			cv.state, cv.agent, cv.reason, cv.disposition, cv.closedAt = ChatClosed, "", d.Reason, d.Disposition, r.Time
			closed = append(closed, cv.id)
		case EvChatRated:
			cv.score = d.Score
		}
	}
	if len(closed) > keepClosed {
		for _, id := range closed[:len(closed)-keepClosed] {
			delete(convs, id)
		}
		closed = slices.Clone(closed[len(closed)-keepClosed:])
	}
	return convs, closed, nil
}

// restore takes the folded conversations in: offered ones wait again,
// active ones count toward their agent's capacity (an agent who is not
// signed in any more gets theirs requeued by the first settle) and get
// their idle timer back.
func (ch *chats) restore(convs map[string]*chatConv, closed []string) {
	ch.convs, ch.closed = convs, closed
	for _, id := range sortedKeys(convs) {
		cv := convs[id]
		switch cv.state {
		case ChatOffered:
			cv.state, cv.agent = ChatWaiting, ""
		case ChatActive:
			a := ch.agents[cv.agent]
			if a == nil {
				cv.state, cv.agent = ChatWaiting, ""
				break
			}
			a.chats++
			if a.state == SignedOut {
				cv.state, cv.agent = ChatWaiting, ""
				a.chats--
				break
			}
			left := ch.idleClose() - ch.now.Sub(cv.lastCustomer)
			ch.setTimer(timerChatIdle(cv), max(left, 0))
		}
	}
	ch.dirty = true
}

// RestoreChats brings back the conversations from their chat.* records
// (in log order). Call it after Restore (agents first), before Run. A
// function, not an Engine method: the Engine is at its size.
func RestoreChats(ctx context.Context, e *Engine, recs []Record) error {
	convs, closed, err := foldChats(recs, e.m.cfg.Chat.KeepMessages)
	if err != nil {
		return fmt.Errorf("restore chats: %w", err)
	}
	var out Output
	e.m.now, e.m.out = e.clock.Now(), &out
	e.m.chats.restore(convs, closed)
	e.m.out = nil
	e.pendingTimers = append(e.pendingTimers, out.Timers...)
	return nil
}
