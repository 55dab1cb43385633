package aritest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// SetStoredRecording makes GET /recordings/stored/{name}/file serve audio
// (as audio/wav); names not set answer 404 as Asterisk does.
func (s *Server) SetStoredRecording(name string, audio []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stored == nil {
		s.stored = map[string][]byte{}
	}
	s.stored[name] = append([]byte(nil), audio...)
}

// serveRecording answers the recording requests as Asterisk 22 does:
// POST /channels/{id}/record and /bridges/{id}/record with 201 and the
// LiveRecording, pause and unpause of a live one with 204, and the stored
// file. It reports false for any other request.
func (s *Server) serveRecording(w http.ResponseWriter, method, path string, q url.Values) bool {
	if ch, ok := strings.CutSuffix(path, "/record"); ok && method == http.MethodPost && strings.HasPrefix(ch, "/channels/") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"name":%q,"format":%q,"state":"queued","target_uri":"channel:%s"}`,
			q.Get("name"), q.Get("format"), strings.TrimPrefix(ch, "/channels/"))
		return true
	}
	if br, ok := strings.CutSuffix(path, "/record"); ok && method == http.MethodPost && strings.HasPrefix(br, "/bridges/") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"name":%q,"format":%q,"state":"queued","target_uri":"bridge:%s"}`,
			q.Get("name"), q.Get("format"), strings.TrimPrefix(br, "/bridges/"))
		return true
	}
	if live, ok := strings.CutPrefix(path, "/recordings/live/"); ok && strings.HasSuffix(live, "/pause") &&
		(method == http.MethodPost || method == http.MethodDelete) {
		w.WriteHeader(http.StatusNoContent) // pause and unpause answer 204
		return true
	}
	rest, ok := strings.CutPrefix(path, "/recordings/stored/")
	if !ok || method != http.MethodGet {
		return false
	}
	name, ok := strings.CutSuffix(rest, "/file")
	if !ok {
		return false
	}
	s.mu.Lock()
	audio, found := s.stored[name]
	s.mu.Unlock()
	if !found {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Recording not found"}`)
		return true
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Write(audio)
	return true
}
