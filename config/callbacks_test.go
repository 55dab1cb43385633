package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/config/configtest"
	"switchboard/routing"
)

const callbacksBase = trunksBase + `queues:
  support:
    callbacks:
      group: out
      retry_delay: 2m
      max_attempts: 4
`

func TestQueueCallbacksLoad(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, callbacksBase))
	if err != nil {
		t.Fatal(err)
	}
	cb := cfg.Queues["support"].Callbacks
	if cb.Group != "out" || cb.RetryDelay.D() != 2*time.Minute || cb.MaxAttempts != 4 || cb.PreviewTimeout != routing.DefaultCallbackPreviewTimeout {
		t.Fatalf("callbacks %+v", cb)
	}
}

func TestQueueCallbackErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		want     string
	}{
		{"      group: out", "      group: nowhere", `queues.support.callbacks.group: unknown trunk group "nowhere"`},
		{"      retry_delay: 2m", "      retry_delay: -1m", "queues.support.callbacks.retry_delay: must be greater than 0"},
		{"      max_attempts: 4", "      max_attempts: 99", "queues.support.callbacks.max_attempts: must be 1-20"},
	} {
		body := strings.Replace(callbacksBase, tt.from+"\n", tt.to+"\n", 1)
		if body == callbacksBase {
			t.Fatalf("line %q not in the base", tt.from)
		}
		p := configtest.WriteFile(t, body)
		line := strings.Count(body[:strings.Index(body, tt.to+"\n")], "\n") + 1
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: %s", p, line, tt.want)) {
			t.Errorf("err = %v\nwant %s:%d: %s", err, p, line, tt.want)
		}
	}
}
