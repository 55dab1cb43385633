// Command sipp-scenario prints the testbed's sipp scenarios, so an engineer
// can place a call or stand in for a desk phone by hand:
//
//	go run ./testbed/cmd/sipp-scenario -digits 1 -talk 8s > caller.xml
//	sipp -sf caller.xml -i 127.0.0.1 -p 5099 -m 1 -s 100 127.0.0.1:5060
//	go run ./testbed/cmd/sipp-scenario -phone 1001 -ring 1s > phone.xml
//	sipp -sf phone.xml -i 127.0.0.1 -p 5201
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"switchboard/testbed"
)

func main() {
	phone := flag.String("phone", "", "print an agent phone (UAS) for this user, e.g. 1001, instead of a caller")
	mode := flag.String("mode", "answer", "phone mode: answer, never (rings until cancelled), busy (486)")
	ring := flag.Duration("ring", time.Second, "phone: ring time before answering")
	wait := flag.Duration("wait", 1500*time.Millisecond, "caller: time after answer before the digits (the greeting)")
	digits := flag.String("digits", "1", "caller: RFC 2833 digits to send (0-9, *, #)")
	talk := flag.Duration("talk", 8*time.Second, "caller: time after the digits before hanging up")
	from := flag.String("from", "13800138000", "caller: caller ID number")
	flag.Parse()

	if *phone != "" {
		var m testbed.PhoneMode
		switch *mode {
		case "answer":
			m = testbed.Answer(*ring)
		case "never":
			m = testbed.NeverAnswer
		case "busy":
			m = testbed.Busy
		default:
			fmt.Fprintf(os.Stderr, "-mode: %q is not answer, never or busy\n", *mode)
			os.Exit(2)
		}
		fmt.Print(testbed.PhoneScenario(*phone, m))
		return
	}
	steps := append([]testbed.Step{testbed.Pause(*wait)}, testbed.Digits(*digits)...)
	steps = append(steps, testbed.Pause(*talk), testbed.HangUp())
	xml, err := testbed.Caller{Number: "100", From: *from, Steps: steps}.CallerScenario()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Print(xml)
}
