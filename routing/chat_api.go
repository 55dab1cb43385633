package routing

import (
	"context"
	"errors"
)

// ErrNoSuchChat is a request about a conversation the engine does not
// hold (never opened, or closed long enough ago to have been dropped).
var ErrNoSuchChat = errors.New("unknown chat")

// Refusals of chat requests (PolicyError codes; the API answers 409).
const (
	RefuseChatClosed = "chat_closed" // the conversation has ended
	RefuseNotHolder  = "not_holder"  // the agent does not hold (or was not offered) it
	RefuseNoRoom     = "no_room"     // the target agent has no chat capacity left
	RefuseNoChats    = "no_chats"    // the agent may hold no chats at all
)

// Chats is the engine's chat desk: conversations from every chat channel,
// routed by the same ACD as calls. Its own type, so the Engine keeps its
// size; every request goes through the engine loop and is logged.
type Chats struct{ e *Engine }

// NewChats is e's chat desk.
func NewChats(e *Engine) *Chats { return &Chats{e: e} }

// ChatOpen starts a conversation: Channel (web, wechat) from the
// customer's address From (a visitor ID, a WeChat openid), waiting in
// Queue (empty: chat.queue). Text, when set, is the first message; MsgID
// is the channel's own ID for it (a repeat is ignored). Outside
// chat.calendar's hours the chat is closed at once as a message left
// (Reason offline).
type ChatOpen struct {
	Channel, Queue, From, Name, Origin string
	Customer                           int64
	Priority                           int
	Text, MsgID                        string
	Attachment                         *ChatAttachment
}

// ChatPost is one message: Sender customer (of the chat), agent (who
// holds it: Agent) or supervisor (a whisper to the agent: By). MsgID as
// in ChatOpen. Scope narrows whose chats an agent or lead may post in.
type ChatPost struct {
	Chat, Sender, Agent, By, Text, MsgID string
	Attachment                           *ChatAttachment
	Scope                                Scope
}

// ChatRequest is an agent's accept of an offered chat.
type ChatRequest struct {
	Chat, Agent, By string
	Scope           Scope
}

// ChatTransfer moves a chat its agent holds (Agent) to ToQueue (it waits
// there) or ToAgent (who must have room); the transcript goes with it.
type ChatTransfer struct {
	Chat, Agent, ToQueue, ToAgent, By string
	Scope                             Scope
}

// ChatClose ends a chat: by its agent (Sender agent, with a Disposition
// of the config's) or by the customer (Sender customer).
type ChatClose struct {
	Chat, Sender, Agent, Disposition, Notes, By string
	Scope                                       Scope
}

// ChatRate is the customer's rating (1-5) of a closed chat, once.
type ChatRate struct {
	Chat    string
	Score   int
	Comment string
}

// ChatFilter narrows a list: Scope (an agent sees their own, a lead
// their team's), Agent, State ("" all open; closed for the recent ones).
type ChatFilter struct {
	Scope        Scope
	Agent, State string
}

// ChatTranscript is a conversation and its messages after a sequence
// number (as far back as chat.keep_messages; older ones are in the log).
type ChatTranscript struct {
	Chat     ChatView      `json:"chat"`
	Messages []ChatMessage `json:"messages"`
}

// chatCommand is a chat request as the engine loop takes (and logs) it.
type chatCommand struct {
	Op       string        `json:"op"` // open, post, accept, transfer, close, rate, list, get
	Open     *ChatOpen     `json:"open,omitempty"`
	Post     *ChatPost     `json:"post,omitempty"`
	Request  *ChatRequest  `json:"request,omitempty"`
	Transfer *ChatTransfer `json:"transfer,omitempty"`
	Close    *ChatClose    `json:"close,omitempty"`
	Rate     *ChatRate     `json:"rate,omitempty"`
	Filter   *ChatFilter   `json:"filter,omitempty"`
	Chat     string        `json:"chat,omitempty"`
	After    int64         `json:"after,omitempty"`
	// WithWhispers: the transcript includes supervisors' notes (the
	// agent's and supervisor's view, never the customer's).
	WithWhispers bool `json:"with_whispers,omitempty"`
}

// logged says whether the command changes state (reads are not logged).
func (c chatCommand) logged() bool { return c.Op != "list" && c.Op != "get" }

// Open starts a conversation (see ChatOpen).
func (c *Chats) Open(ctx context.Context, r ChatOpen) (ChatView, error) {
	return chatDo[ChatView](ctx, c.e, chatCommand{Op: "open", Open: &r})
}

// Post adds a message. Errors: ErrNoSuchChat, *FieldError (empty, too
// long), *PolicyError RefuseChatClosed, RefuseNotHolder, ErrNotYourCall.
func (c *Chats) Post(ctx context.Context, r ChatPost) (ChatMessage, error) {
	return chatDo[ChatMessage](ctx, c.e, chatCommand{Op: "post", Post: &r})
}

// Accept takes an offered chat.
func (c *Chats) Accept(ctx context.Context, r ChatRequest) (ChatView, error) {
	return chatDo[ChatView](ctx, c.e, chatCommand{Op: "accept", Request: &r})
}

// Transfer moves a chat to a queue or an agent.
func (c *Chats) Transfer(ctx context.Context, r ChatTransfer) (ChatView, error) {
	return chatDo[ChatView](ctx, c.e, chatCommand{Op: "transfer", Transfer: &r})
}

// Close ends a chat.
func (c *Chats) Close(ctx context.Context, r ChatClose) (ChatView, error) {
	return chatDo[ChatView](ctx, c.e, chatCommand{Op: "close", Close: &r})
}

// Rate records the customer's rating of a closed chat.
func (c *Chats) Rate(ctx context.Context, r ChatRate) (ChatView, error) {
	return chatDo[ChatView](ctx, c.e, chatCommand{Op: "rate", Rate: &r})
}

// List is the conversations in f's scope.
func (c *Chats) List(ctx context.Context, f ChatFilter) ([]ChatView, error) {
	return chatDo[[]ChatView](ctx, c.e, chatCommand{Op: "list", Filter: &f})
}

// Transcript is chat id and its messages after seq after; whispers only
// when withWhispers (never for the customer). scope narrows whose chats
// an agent or lead may read (the customer's transport passes none).
func (c *Chats) Transcript(ctx context.Context, id string, after int64, withWhispers bool, scope Scope) (ChatTranscript, error) {
	return chatDo[ChatTranscript](ctx, c.e, chatCommand{Op: "get", Chat: id, After: after, WithWhispers: withWhispers,
		Filter: &ChatFilter{Scope: scope}})
}

func chatDo[T any](ctx context.Context, e *Engine, cmd chatCommand) (T, error) {
	var zero T
	v, err := e.doInput(ctx, cmd)
	if err != nil {
		return zero, err
	}
	return v.(T), nil
}
