package routing

import "fmt"

// newChatConfig is the chat section's defaults: three chats an agent, no
// new chats while on a call, 30s to the first reply, 20s to accept an
// offer, 2000 characters a message, closed after 15m of the customer's
// silence.
func newChatConfig() ChatConfig {
	return ChatConfig{
		VoiceRule: VoiceBlocksChat, FirstResponse: DefaultChatFirstResponse, OfferTimeout: DefaultChatOfferTimeout,
		MaxMessage: DefaultChatMaxMessage, IdleClose: DefaultChatIdleClose, KeepMessages: DefaultChatKeepMessages,
	}
}

// defaults fills a Go-built chat section's zero fields.
func (cc *ChatConfig) defaults() {
	d := newChatConfig()
	fill(&cc.VoiceRule, d.VoiceRule)
	fill(&cc.FirstResponse, d.FirstResponse)
	fill(&cc.OfferTimeout, d.OfferTimeout)
	fill(&cc.MaxMessage, d.MaxMessage)
	fill(&cc.IdleClose, d.IdleClose)
	fill(&cc.KeepMessages, d.KeepMessages)
}

// maxChatCapacity bounds a capacity: a typo of 300 is not a policy.
const maxChatCapacity = 20

func (c *Config) validateChat(bad func(key, format string, a ...any)) {
	cc := &c.Chat
	switch cc.VoiceRule {
	case VoiceBlocksChat, ChatBlocksVoice, VoiceExclusive, VoiceRuleNone:
	default:
		bad("chat.voice_rule", "%q is not %s, %s, %s or %s", cc.VoiceRule, VoiceBlocksChat, ChatBlocksVoice, VoiceExclusive, VoiceRuleNone)
	}
	capacity := func(key string, n *int) {
		if n != nil && (*n < 0 || *n > maxChatCapacity) {
			bad(key, "must be 0-%d", maxChatCapacity)
		}
	}
	capacity("chat.capacity", cc.Capacity)
	for i, a := range c.Agents {
		capacity(fmt.Sprintf("agents[%d].chat", i), a.Chat)
	}
	for _, name := range sortedKeys(c.Teams) {
		if t := c.Teams[name]; t != nil {
			capacity("teams."+name+".chat", t.Chat)
		}
	}
	for _, d := range []struct {
		key string
		d   Duration
	}{{"chat.first_response", cc.FirstResponse}, {"chat.offer_timeout", cc.OfferTimeout}, {"chat.idle_close", cc.IdleClose}} {
		if d.d < 0 {
			bad(d.key, "must not be negative")
		}
		positive(d.key, d.d, bad)
	}
	if cc.MaxMessage < 1 || cc.MaxMessage > 20000 {
		bad("chat.max_message", "must be 1-20000 characters")
	}
	if cc.KeepMessages < 1 || cc.KeepMessages > 100000 {
		bad("chat.keep_messages", "must be 1-100000")
	}
	if cc.Queue != "" && c.Queues[cc.Queue] == nil {
		bad("chat.queue", "unknown queue %q", cc.Queue)
	}
	if cc.Calendar != "" && c.Calendars[cc.Calendar] == nil {
		bad("chat.calendar", "unknown calendar %q", cc.Calendar)
	}
}
