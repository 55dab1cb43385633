package routing

import "time"

// Record types of chat conversations (web chat, WeChat): each step of a
// conversation's life is one record carrying ChatData, so the live
// conversations are rebuilt from them after a restart and the transcript
// is the log itself.
const (
	// EvChatOpened: a customer started a conversation (Channel, Queue,
	// From, Customer, Origin, Priority).
	EvChatOpened = "chat.opened"
	// EvChatDecision: why the chat went to the agent it went to, or why
	// nobody could take it (Candidates), like a call's decision.
	EvChatDecision = "chat.decision"
	// EvChatOffered: an agent with room was chosen (Agent); it counts
	// toward their capacity from now on.
	EvChatOffered = "chat.offered"
	// EvChatOfferExpired: the agent did not accept in time; the chat
	// goes to another and this agent is not offered it again.
	EvChatOfferExpired = "chat.offer_expired"
	// EvChatAccepted: the agent took the chat.
	EvChatAccepted = "chat.accepted"
	// EvChatMessage: one message (Seq, From, Text, Attachment); Whisper
	// marks a supervisor's note only the agent sees. First marks the
	// agent's first reply: the first-response time ends there.
	EvChatMessage = "chat.message"
	// EvChatTransferred: the chat moved to another queue or agent (To*);
	// its transcript stays with it.
	EvChatTransferred = "chat.transferred"
	// EvChatClosed: the conversation ended (Reason, Disposition, By).
	EvChatClosed = "chat.closed"
	// EvChatRated: the customer's satisfaction rating after the end.
	EvChatRated = "chat.rated"
)

// Chat channels.
const (
	ChannelWeb    = "web"
	ChannelWeChat = "wechat"
)

// Chat conversation states.
const (
	ChatWaiting = "waiting" // in the queue: nobody has it yet
	ChatOffered = "offered" // an agent is chosen and has not accepted yet
	ChatActive  = "active"  // an agent holds it
	ChatClosed  = "closed"
)

// Who ends a chat, and why.
const (
	ChatCloseAgent     = "agent"     // closed by its agent, with a disposition
	ChatCloseCustomer  = "customer"  // the customer left after it was taken
	ChatCloseAbandoned = "abandoned" // the customer left before anyone took it
	ChatCloseIdle      = "idle"      // the customer was silent for chat.idle_close
	ChatCloseOffline   = "offline"   // opened outside hours: a message left
)

// Message senders.
const (
	ChatFromCustomer   = "customer"
	ChatFromAgent      = "agent"
	ChatFromSupervisor = "supervisor" // a whisper: only the agent sees it
	ChatFromSystem     = "system"
)

// ChatAttachment is a file sent in a chat: the transport stored it (Ref
// names it there) after checking its type and size against chat.files.
type ChatAttachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	Ref  string `json:"ref"`
}

// ChatCandidate is one agent considered for a chat and why they were
// passed over (empty Why: they could take it).
type ChatCandidate struct {
	Agent string `json:"agent"`
	Held  int    `json:"held"`
	Room  int    `json:"room"`
	Why   string `json:"why,omitempty"`
}

// ChatData is the payload of every chat.* record; each record fills what
// its step is about (chat.opened: the whole start).
type ChatData struct {
	ID       string `json:"id"`
	Channel  string `json:"channel,omitempty"`
	From     string `json:"from,omitempty"` // chat.opened: the customer's address (visitor, WeChat openid)
	Name     string `json:"name,omitempty"`
	Customer int64  `json:"customer_id,omitempty"`
	Origin   string `json:"origin,omitempty"` // the page or account it came from
	Priority int    `json:"priority,omitempty"`

	Agent string `json:"agent,omitempty"`
	By    string `json:"by,omitempty"`

	Seq        int64           `json:"seq,omitempty"`
	Sender     string          `json:"sender,omitempty"` // customer, agent, supervisor, system
	Text       string          `json:"text,omitempty"`
	Attachment *ChatAttachment `json:"attachment,omitempty"`
	Whisper    bool            `json:"whisper,omitempty"`
	First      bool            `json:"first,omitempty"`
	// MsgID is the channel's own message ID (WeChat MsgId): a repeat is
	// ignored.
	MsgID string `json:"msg_id,omitempty"`

	ToQueue string `json:"to_queue,omitempty"`
	ToAgent string `json:"to_agent,omitempty"`

	Reason      string `json:"reason,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Notes       string `json:"notes,omitempty"`
	Score       int    `json:"score,omitempty"`
	Comment     string `json:"comment,omitempty"`

	Candidates []ChatCandidate `json:"candidates,omitempty"`
}

// ChatView is a conversation as the API, the desk and the wallboard show
// it.
type ChatView struct {
	ID            string     `json:"id"`
	Channel       string     `json:"channel"`
	Queue         string     `json:"queue"`
	From          string     `json:"from"`
	Name          string     `json:"name,omitempty"`
	Customer      int64      `json:"customer_id,omitempty"`
	Origin        string     `json:"origin,omitempty"`
	State         string     `json:"state"`
	Agent         string     `json:"agent,omitempty"`
	OpenedAt      time.Time  `json:"opened_at"`
	QueuedAt      time.Time  `json:"queued_at"` // since when it waits in its queue (a transfer restarts it)
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
	FirstResponse *time.Time `json:"first_response_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Disposition   string     `json:"disposition,omitempty"`
	Score         int        `json:"score,omitempty"`
	LastSeq       int64      `json:"last_seq"`
}

// ChatMessage is one message of a transcript.
type ChatMessage struct {
	Chat       string          `json:"chat"`
	Seq        int64           `json:"seq"`
	Time       time.Time       `json:"time"`
	Sender     string          `json:"sender"`
	Agent      string          `json:"agent,omitempty"`
	Text       string          `json:"text,omitempty"`
	Attachment *ChatAttachment `json:"attachment,omitempty"`
	Whisper    bool            `json:"whisper,omitempty"`
}

// ChatConfig is how chats are routed (the `chat:` section).
type ChatConfig struct {
	// Capacity is how many chats an agent holds at once unless their
	// team or they say otherwise (an explicit 0: no chats).
	Capacity *int `yaml:"capacity"`
	// VoiceRule is how chats and calls mix: voice_blocks_chat (no new
	// chats while on a call, the default), chat_blocks_voice (no calls
	// while holding a chat), exclusive (both), or none.
	VoiceRule string `yaml:"voice_rule"`
	// FirstResponse is the target from a chat's start to the agent's
	// first reply (the regulations: 30s).
	FirstResponse Duration `yaml:"first_response"`
	// OfferTimeout is how long an agent has to accept an offered chat.
	OfferTimeout Duration `yaml:"offer_timeout"`
	// AutoAccept gives a chat to the chosen agent at once.
	AutoAccept bool `yaml:"auto_accept"`
	// Queue is where chats wait unless the widget or account names one.
	Queue string `yaml:"queue"`
	// Calendar is the business hours chats are answered in; outside them
	// the customer leaves a message.
	Calendar string `yaml:"calendar"`
	// MaxMessage is the longest message in characters.
	MaxMessage int `yaml:"max_message"`
	// IdleClose ends a chat whose customer has been silent this long.
	IdleClose Duration `yaml:"idle_close"`
	// KeepMessages bounds the transcript kept live per chat; older
	// messages are read from the log.
	KeepMessages int `yaml:"keep_messages"`
}

// Voice rules.
const (
	VoiceBlocksChat = "voice_blocks_chat"
	ChatBlocksVoice = "chat_blocks_voice"
	VoiceExclusive  = "exclusive"
	VoiceRuleNone   = "none"
)

// Chat defaults.
const (
	DefaultChatCapacity      = 3
	DefaultChatFirstResponse = Duration(30 * time.Second)
	DefaultChatOfferTimeout  = Duration(20 * time.Second)
	DefaultChatMaxMessage    = 2000
	DefaultChatIdleClose     = Duration(15 * time.Minute)
	DefaultChatKeepMessages  = 500
)
