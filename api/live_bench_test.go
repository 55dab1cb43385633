package api

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/routing"
)

// BenchmarkLiveFeed: 200 SSE clients (supervisors: every record, masked)
// on real HTTP over 127.0.0.1; records are appended to the store and
// published as the engine's journal does, 50 a second; each one's latency
// is from its Publish to the last of the 200 clients reading it. One op
// is one record, so -benchtime 500x is 10 s of traffic:
//
//	go test -run '^$' -bench BenchmarkLiveFeed -benchtime 500x ./api/
func BenchmarkLiveFeed(b *testing.B) {
	const (
		clients = 200
		rate    = 50 // records a second
		maxOps  = 3000
	)
	n := min(b.N, maxOps)
	h := newLiveHarness(b)
	h.ts.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = clients

	type arrival struct {
		count int
		last  time.Time
	}
	var (
		mu        sync.Mutex
		published = map[int64]time.Time{}
		arrivals  = map[int64]*arrival{}
		complete  = make(chan int64, n+1)
	)
	got := func(seq int64, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		a := arrivals[seq]
		if a == nil {
			a = &arrival{}
			arrivals[seq] = a
		}
		a.count++
		a.last = at
		if a.count == clients {
			complete <- seq
		}
	}

	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	var wg sync.WaitGroup
	connected := make(chan struct{}, clients)
	for range clients {
		req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/v1/live", nil)
		req.Header.Set("Authorization", "Bearer role:supervisor")
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer resp.Body.Close()
			connected <- struct{}{}
			sc := bufio.NewScanner(resp.Body)
			var id int64
			for sc.Scan() {
				line := sc.Text()
				if v, ok := strings.CutPrefix(line, "id: "); ok {
					id, _ = strconv.ParseInt(v, 10, 64)
				} else if line == "event: record" {
					got(id, time.Now())
				}
			}
		}()
	}
	for range clients {
		<-connected
	}
	if s := h.hub.Subscribers(); s != clients { // subscribed before the headers went out
		b.Fatalf("%d subscribers", s)
	}

	b.ResetTimer()
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for i := range n {
		<-tick.C
		r := rec(1000+i, routing.EvCallOffered, fmt.Sprint("c-", i), "a1", "support",
			map[string]string{"agent": "a1", "endpoint": "PJSIP/1001", "leg": fmt.Sprint("leg-", i), "caller": "13812345678"})
		if err := h.store.Append(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		published[r.Seq] = time.Now()
		mu.Unlock()
		h.hub.Publish(r)
	}
	deadline := time.After(10 * time.Second)
	for range n {
		select {
		case <-complete:
		case <-deadline:
			b.Fatalf("not every client got every record within 10 s")
		}
	}
	b.StopTimer()
	cancel()
	wg.Wait()

	var lat []float64
	for seq, at := range published {
		lat = append(lat, float64(arrivals[seq].last.Sub(at).Microseconds())/1000)
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
	b.ReportMetric(float64(len(lat)), "records")
}
