package routing

import (
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"
)

func chatHarness(t *testing.T, rule string, capacity int) *harness {
	t.Helper()
	cfg := testConfig()
	cfg.Chat.VoiceRule, cfg.Chat.Capacity, cfg.Chat.Queue = rule, &capacity, "support"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &harness{t: t, m: NewMachine(cfg, SequentialIDs(), log), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (h *harness) chat(cmd chatCommand) (any, error) {
	out := h.in(cmd)
	return out.Reply, out.Err
}

func (h *harness) openChat(from string) ChatView {
	h.t.Helper()
	v, err := h.chat(chatCommand{Op: "open", Open: &ChatOpen{Channel: ChannelWeb, From: from, Text: "hello"}})
	if err != nil {
		h.t.Fatalf("open: %v", err)
	}
	return h.m.chats.view(h.m.chats.convs[v.(ChatView).ID])
}

func (h *harness) chatState(id string) (state, agent string) {
	cv := h.m.chats.convs[id]
	return cv.state, cv.agent
}

func TestChatCapacityAndVoiceRule(t *testing.T) {
	h := chatHarness(t, VoiceBlocksChat, 2)
	h.signIn("a1")
	c1, c2, c3 := h.openChat("v1"), h.openChat("v2"), h.openChat("v3")
	for _, c := range []ChatView{c1, c2} {
		if st, ag := h.chatState(c.ID); st != ChatOffered || ag != "a1" {
			t.Fatalf("%s: %s/%s, want offered to a1", c.ID, st, ag)
		}
	}
	if st, _ := h.chatState(c3.ID); st != ChatWaiting {
		t.Fatalf("third chat %s, want waiting: a1 holds 2 of 2", st)
	}
	// A call is still offered to a1 under voice_blocks_chat.
	h.arrive("caller-1")
	h.digits("caller-1", "1")
	if st := h.agent("a1").State; st != Reserved && st != Ringing {
		t.Fatalf("a1 %s, want offered the call while holding chats", st)
	}
	// a1 closes a chat while the call rings: the third waits (voice blocks chat).
	if _, err := h.chat(chatCommand{Op: "accept", Request: &ChatRequest{Chat: c1.ID, Agent: "a1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.chat(chatCommand{Op: "close", Close: &ChatClose{Chat: c1.ID, Sender: ChatFromAgent, Agent: "a1", Disposition: "resolved"}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.chatState(c3.ID); st != ChatWaiting {
		t.Fatalf("third chat %s while a1's phone rings, want waiting", st)
	}
}

func TestChatBlocksVoice(t *testing.T) {
	h := chatHarness(t, ChatBlocksVoice, 2)
	h.signIn("a1")
	c := h.openChat("v1")
	h.arrive("caller-1")
	h.digits("caller-1", "1")
	if st := h.agent("a1").State; st != Ready {
		t.Fatalf("a1 %s, want ready: holding a chat keeps calls away", st)
	}
	if _, err := h.chat(chatCommand{Op: "close", Close: &ChatClose{Chat: c.ID, Sender: ChatFromCustomer}}); err != nil {
		t.Fatal(err)
	}
	if st := h.agent("a1").State; st != Reserved {
		t.Fatalf("a1 %s after the chat ended, want offered the waiting call", st)
	}
	if cv := h.m.chats.convs[c.ID]; cv.reason != ChatCloseAbandoned {
		t.Fatalf("closed by the customer before it was taken: %q, want abandoned", cv.reason)
	}
}

func TestChatMessagesFirstResponseAndTransfer(t *testing.T) {
	h := chatHarness(t, VoiceBlocksChat, 2)
	h.signIn("a1", "a2")
	c := h.openChat("v1")
	_, holder := h.chatState(c.ID)
	other := map[string]string{"a1": "a2", "a2": "a1"}[holder]
	h.advance(12 * time.Second)
	v, err := h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: c.ID, Sender: ChatFromAgent, Agent: holder, Text: "hi, how can I help?"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := v.(ChatMessage); m.Seq != 2 {
		t.Fatalf("reply seq %d, want 2 (after the customer's hello)", m.Seq)
	}
	cv := h.m.chats.convs[c.ID]
	if cv.state != ChatActive || cv.firstAt.Sub(cv.openedAt) != 12*time.Second {
		t.Fatalf("replying takes the chat and ends the first response: %s %v", cv.state, cv.firstAt.Sub(cv.openedAt))
	}
	// The same channel message twice is one message.
	for range 2 {
		if _, err := h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: c.ID, Sender: ChatFromCustomer, Text: "my order", MsgID: "m-9"}}); err != nil {
			t.Fatal(err)
		}
	}
	if cv.seq != 3 {
		t.Fatalf("seq %d after a repeated message, want 3", cv.seq)
	}
	if _, err := h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: c.ID, Sender: ChatFromAgent, Agent: other, Text: "x"}}); !isPolicy(err, RefuseNotHolder) {
		t.Fatalf("a reply by who does not hold it: %v", err)
	}
	if _, err := h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: c.ID, Sender: ChatFromSupervisor, By: "sup", Text: "offer the refund"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.chat(chatCommand{Op: "transfer", Transfer: &ChatTransfer{Chat: c.ID, Agent: holder, ToAgent: other}}); err != nil {
		t.Fatal(err)
	}
	if st, ag := h.chatState(c.ID); st != ChatOffered || ag != other {
		t.Fatalf("after the transfer %s/%s, want offered to %s", st, ag, other)
	}
	tr, err := h.chat(chatCommand{Op: "get", Chat: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if msgs := tr.(ChatTranscript).Messages; len(msgs) != 3 {
		t.Fatalf("the customer's transcript has %d messages, want 3 (no whisper): %+v", len(msgs), msgs)
	}
	if h.m.agents[holder].chats != 0 || h.m.agents[other].chats != 1 {
		t.Fatalf("held: %s %d, %s %d", holder, h.m.agents[holder].chats, other, h.m.agents[other].chats)
	}
}

func TestChatBadInput(t *testing.T) {
	h := chatHarness(t, VoiceBlocksChat, 2)
	long := make([]rune, DefaultChatMaxMessage+1)
	for i := range long {
		long[i] = '字'
	}
	for _, tc := range []struct {
		name  string
		cmd   chatCommand
		field string
		err   error
	}{
		{"channel", chatCommand{Op: "open", Open: &ChatOpen{Channel: "fax", From: "x"}}, "channel", nil},
		{"from", chatCommand{Op: "open", Open: &ChatOpen{Channel: ChannelWeb}}, "from", nil},
		{"queue", chatCommand{Op: "open", Open: &ChatOpen{Channel: ChannelWeb, From: "x", Queue: "nope"}}, "queue", nil},
		{"too long", chatCommand{Op: "open", Open: &ChatOpen{Channel: ChannelWeb, From: "x", Text: string(long)}}, "text", nil},
		{"unknown chat", chatCommand{Op: "post", Post: &ChatPost{Chat: "chat-404", Sender: ChatFromCustomer, Text: "x"}}, "", ErrNoSuchChat},
		{"score", chatCommand{Op: "rate", Rate: &ChatRate{Chat: "chat-404", Score: 9}}, "", ErrNoSuchChat},
	} {
		_, err := h.chat(tc.cmd)
		var fe *FieldError
		switch {
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: %v, want a field error on %s", tc.name, err, tc.field)
		}
	}
	if n := len(h.m.chats.convs); n != 0 {
		t.Fatalf("%d chats stored from bad input", n)
	}
}

// TestChatCapacityUnderRandomEvents: whatever happens, nobody holds more
// chats than their capacity, a voice offer respects the rule, the held
// counts match the conversations, and the same inputs decide the same.
func TestChatCapacityUnderRandomEvents(t *testing.T) {
	for seed := range uint64(40) {
		for _, rule := range []string{VoiceBlocksChat, ChatBlocksVoice, VoiceExclusive, VoiceRuleNone} {
			a, b := chatRandomRun(t, seed, rule), chatRandomRun(t, seed, rule)
			if len(a.recs) != len(b.recs) {
				t.Fatalf("seed %d %s: %d records then %d: not deterministic", seed, rule, len(a.recs), len(b.recs))
			}
			for i := range a.recs {
				if a.recs[i].Type != b.recs[i].Type || string(a.recs[i].Data) != string(b.recs[i].Data) {
					t.Fatalf("seed %d %s: record %d differs: %s %s / %s %s", seed, rule, i, a.recs[i].Type, a.recs[i].Data, b.recs[i].Type, b.recs[i].Data)
				}
			}
		}
	}
}

func chatRandomRun(t *testing.T, seed uint64, rule string) *harness {
	return chatRandomRunN(t, seed, rule, 120)
}

func chatRandomRunN(t *testing.T, seed uint64, rule string, steps int) *harness {
	h := chatHarness(t, rule, 2)
	rng := rand.New(rand.NewPCG(seed, 7))
	var open []string
	calls := 0
	prev := map[string]int{}
	for step := range steps {
		h.last = Output{} // a step may handle no input
		h.advance(time.Duration(rng.IntN(8)) * time.Second)
		switch rng.IntN(9) {
		case 0:
			h.agentCmd("sign_in", []string{"a1", "a2"}[rng.IntN(2)], "")
		case 1:
			h.agentCmd("not_ready", []string{"a1", "a2"}[rng.IntN(2)], "break")
		case 2:
			h.agentCmd("ready", []string{"a1", "a2"}[rng.IntN(2)], "")
		case 3, 4:
			open = append(open, h.openChat("v"+string(rune('a'+rng.IntN(26)))).ID)
		case 5:
			if len(open) > 0 {
				id := open[rng.IntN(len(open))]
				if _, ag := h.chatState(id); ag != "" {
					h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: id, Sender: ChatFromAgent, Agent: ag, Text: "ok"}})
				}
			}
		case 6:
			if len(open) > 0 {
				id := open[rng.IntN(len(open))]
				if _, ag := h.chatState(id); ag != "" {
					h.chat(chatCommand{Op: "close", Close: &ChatClose{Chat: id, Sender: ChatFromAgent, Agent: ag, Disposition: "resolved"}})
				} else {
					h.chat(chatCommand{Op: "close", Close: &ChatClose{Chat: id, Sender: ChatFromCustomer}})
				}
			}
		case 7:
			if len(open) > 0 {
				h.in(TimerFired{Name: "chatoffer:" + open[rng.IntN(len(open))]})
			}
		case 8:
			calls++
			ch := "caller-" + string(rune('a'+calls%26)) + string(rune('a'+step%26))
			h.arrive(ch)
			h.digits(ch, "1")
		}
		if step < steps-1 {
			prev = checkChats(t, h, seed, step, rule, prev)
		}
	}
	return h
}

func checkChats(t *testing.T, h *harness, seed uint64, step int, rule string, prev map[string]int) map[string]int {
	t.Helper()
	held := map[string]int{}
	for _, cv := range h.m.chats.convs {
		if cv.state == ChatOffered || cv.state == ChatActive {
			held[cv.agent]++
		}
	}
	for id, a := range h.m.agents {
		switch {
		case a.chats != held[id]:
			t.Fatalf("seed %d %s step %d: %s counts %d chats, holds %d", seed, rule, step, id, a.chats, held[id])
		case a.chats > h.m.chats.capacity(a):
			t.Fatalf("seed %d %s step %d: %s holds %d chats, capacity %d", seed, rule, step, id, a.chats, h.m.chats.capacity(a))
		case a.chats > 0 && a.state == SignedOut:
			t.Fatalf("seed %d %s step %d: %s signed out holding %d chats", seed, rule, step, id, a.chats)
		}
	}
	// Replay the input's records: at each call offer, what the agent held
	// then.
	now := map[string]int{}
	for k, v := range prev {
		now[k] = v
	}
	for _, r := range h.last.Records {
		switch r.Type {
		case EvChatOffered:
			now[r.AgentID]++
		case EvChatClosed, EvChatOfferExpired, EvChatTransferred:
			if r.AgentID != "" && now[r.AgentID] > 0 {
				now[r.AgentID]--
			}
		case EvCallOffered:
			if now[r.AgentID] > 0 && chatBlocksVoice(h.m.cfg) {
				for _, r := range h.last.Records {
					t.Logf("%s %s %s", r.Type, r.AgentID, r.Data)
				}
				t.Fatalf("seed %d %s step %d: call offered to %s holding %d chats (before: %v)", seed, rule, step, r.AgentID, now[r.AgentID], prev)
			}
		}
	}
	return held
}

func TestChatsSurviveRestart(t *testing.T) {
	h := chatHarness(t, VoiceBlocksChat, 2)
	h.signIn("a1")
	c1, c2 := h.openChat("v1"), h.openChat("v2")
	if _, err := h.chat(chatCommand{Op: "post", Post: &ChatPost{Chat: c1.ID, Sender: ChatFromAgent, Agent: "a1", Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for _, r := range h.recs {
		if len(r.Type) > 5 && r.Type[:5] == "chat." {
			recs = append(recs, *r)
		}
	}
	convs, closed, err := foldChats(recs, 0)
	if err != nil {
		t.Fatal(err)
	}
	h2 := chatHarness(t, VoiceBlocksChat, 2)
	h2.now = h.now
	h2.signIn("a1")
	h2.m.out = &Output{}
	h2.m.chats.restore(convs, closed)
	h2.m.out = nil
	if st, ag := h2.chatState(c1.ID); st != ChatActive || ag != "a1" {
		t.Fatalf("active chat after restart %s/%s, want active with a1", st, ag)
	}
	if st, _ := h2.chatState(c2.ID); st != ChatWaiting {
		t.Fatalf("offered chat after restart %s, want waiting again", st)
	}
	if cv := h2.m.chats.convs[c1.ID]; cv.seq != 2 || len(cv.msgs) != 2 || cv.firstAt.IsZero() {
		t.Fatalf("transcript after restart: seq %d, %d messages, first %v", cv.seq, len(cv.msgs), cv.firstAt)
	}
	h2.in(TimerFired{Name: "nothing"}) // the first input settles: the waiting chat goes back to a1
	if st, ag := h2.chatState(c2.ID); st != ChatOffered || ag != "a1" || h2.m.agents["a1"].chats != 2 {
		t.Fatalf("after the first input %s/%s, a1 holds %d", st, ag, h2.m.agents["a1"].chats)
	}
}
