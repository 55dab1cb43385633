package testbed

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// The RFC 2833 captures sipp ships were recorded in one session: each has
// its own RTP timestamp but their sequence numbers are not in digit order
// (dtmf_2833_0 is the highest). Asterisk drops packets whose sequence
// number goes backwards, so "98" played from the stock files arrives as
// "9" alone. dtmfPcap writes a copy of a digit's capture renumbered for
// its place k in a caller's script: sequence numbers and the event
// timestamp rise from one digit to the next.
func dtmfPcap(digit string, k int) (string, error) {
	src, err := pcapFor(digit)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(RepoDir(), ".cache", "testbed-run", "dtmf")
	dst := filepath.Join(dir, fmt.Sprintf("dtmf_%s_%d.pcap", filepath.Base(src), k))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("testbed: %w", err)
	}
	if err := renumberRTP(b, uint16(20000+k*32), uint32(200000+k*8000)); err != nil {
		return "", fmt.Errorf("testbed: %s: %w", src, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".dtmf-*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return dst, os.Rename(tmp.Name(), dst)
}

// renumberRTP rewrites, in a classic little-endian pcap of Ethernet/IPv4/UDP
// RTP packets, each packet's sequence number (seq, seq+1, …) and timestamp,
// and clears the UDP checksum the rewrite would break.
func renumberRTP(b []byte, seq uint16, ts uint32) error {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		return fmt.Errorf("not a little-endian pcap")
	}
	for off := 24; off+16 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off+8:]))
		pkt := b[off+16 : min(off+16+n, len(b))]
		off += 16 + n
		if len(pkt) < 14+20 || pkt[12] != 0x08 || pkt[13] != 0x00 {
			continue // not IPv4 over Ethernet
		}
		ihl := int(pkt[14]&0x0f) * 4
		udp := 14 + ihl
		if len(pkt) < udp+8+12 || pkt[14+9] != 17 {
			continue // not UDP, or too short for RTP
		}
		binary.BigEndian.PutUint16(pkt[udp+6:], 0)
		rtp := pkt[udp+8:]
		binary.BigEndian.PutUint16(rtp[2:], seq)
		binary.BigEndian.PutUint32(rtp[4:], ts)
		seq++
	}
	return nil
}
