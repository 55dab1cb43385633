package testbed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchTS renders t as sipp's [timestamp]: "date\ttime\tepoch.micros".
func benchTS(t time.Time) string {
	return fmt.Sprintf("%s\t%s\t%d.%06d", t.Format("2006-01-02"), t.Format("15:04:05.000000"), t.Unix(), t.Nanosecond()/1000)
}

func TestAnalyzeStep(t *testing.T) {
	t0 := time.Unix(1796220000, 0)
	at := func(ms int) string { return benchTS(t0.Add(time.Duration(ms) * time.Millisecond)) }
	// Three callers: 7001 served by 2001 after 10 ms; 7002 waits while
	// 2001 talks and gets it 5 ms after 2001's BYE; 7003 gives up.
	callerLog := strings.Join([]string{
		at(0) + "|invite|c1|7001",
		at(12) + "|answered|c1",
		at(100) + "|invite|c2|7002",
		at(200) + "|invite|c3|7003",
		at(1016) + "|remote-bye|c1",
		at(1020) + "|answered|c2",
		at(20200) + "|abandon|c3",
	}, "\n")
	phoneLog := strings.Join([]string{
		at(5) + `|invite|a1| <sip:2001@127.0.0.1>| "Caller" <sip:7001@127.0.0.1>;tag=x`,
		at(10) + "|ok|a1",
		at(1010) + "|bye|a1",
		at(1015) + `|invite|a2| <sip:2001@127.0.0.1>| "Caller" <sip:7002@127.0.0.1>;tag=y`,
		at(1018) + "|ok|a2",
		at(2018) + "|bye|a2",
		// Another step's caller on the same agent: not counted here.
		at(2030) + `|invite|a3| <sip:2001@127.0.0.1>| "Caller" <sip:7101@127.0.0.1>;tag=z`,
	}, "\n")
	cl, err := parseBenchLog(callerLog)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := parseBenchLog(phoneLog)
	if err != nil {
		t.Fatal(err)
	}
	st := analyzeStep(cl, phoneLegs(pl))
	if st.Offered != 3 || st.Answered != 2 || st.Abandoned != 1 {
		t.Fatalf("offered/answered/abandoned %d/%d/%d, want 3/2/1", st.Offered, st.Answered, st.Abandoned)
	}
	// To agent: 10 ms (7001) and 918 ms (7002).
	if st.ToAgent.N != 2 || st.ToAgent.P50 != 10 || st.ToAgent.P99 != 918 {
		t.Fatalf("to agent %+v, want n 2, p50 10, p99 918", st.ToAgent)
	}
	// 2001 free at 1010 with 7002 waiting, offered at 1015; its second
	// call's successor belongs to another step.
	if st.FreeToOffer.N != 1 || st.FreeToOffer.P50 != 5 {
		t.Fatalf("free to offer %+v, want one of 5 ms", st.FreeToOffer)
	}
	if want := 1 / 1.008; st.AnsweredPerSec < want-1e-6 || st.AnsweredPerSec > want+1e-6 {
		t.Fatalf("answered/s %v, want %v", st.AnsweredPerSec, want)
	}
}

func TestParseBenchLogRejectsGarbage(t *testing.T) {
	if _, err := parseBenchLog("not a bench line\n"); err == nil {
		t.Fatal("a line without fields parsed")
	}
	if _, err := parseBenchLog("2026-12-02\t14:00:00.0\tnope|invite|c1|7001\n"); err == nil {
		t.Fatal("a line without an epoch parsed")
	}
}

func TestCPUPercent(t *testing.T) {
	t0 := time.Now()
	a := CPUSample{At: t0, CPU: time.Second}
	b := CPUSample{At: t0.Add(2 * time.Second), CPU: 2 * time.Second}
	if got := CPUPercent(a, b); got != 50 {
		t.Fatalf("1 s of CPU over 2 s = %v%%, want 50", got)
	}
	s, err := SampleCPU(1)
	if err != nil || s.CPU < 0 {
		t.Fatalf("SampleCPU(1) = %+v, %v", s, err)
	}
}
