package sandbox

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// SetFault makes route r misbehave as f says, replacing any fault it had.
// A zero Fault removes the route's fault.
func (s *Server) SetFault(r Route, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, r)
		return
	}
	s.faults[r] = &f
}

// ClearFaults makes every route behave normally again.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// Requests counts requests that reached a route (faulted ones included).
func (s *Server) Requests(r Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[r]
}

// arrive counts a request on route r and takes the route's fault, if any,
// using up one of its Times atomically so that N concurrent requests see
// exactly min(N, Times) faults.
func (s *Server) arrive(r Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[r]++
	f, ok := s.faults[r]
	if !ok {
		return Fault{}, false
	}
	taken := *f
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, r)
		}
	}
	return taken, true
}

// applyFault plays fault f and reports whether it answered the request
// (false: the real handler answers, e.g. after a pure Latency fault).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, spec routeSpec, f Fault) bool {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Latency > 0 {
		// net/http notices a client that went away (and cancels the
		// request's context) only once the request body has been read, so
		// read it now and hand the route a copy.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			dropConnection(w)
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !s.sleep(r, f.Latency) {
			// The client gave up or the server is closing: nobody should
			// get a half-made answer, so the connection is simply closed.
			dropConnection(w)
			return true
		}
	}
	switch {
	case f.Drop:
		dropConnection(w)
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(spec.success)
		_, _ = w.Write([]byte(spec.truncated))
	case f.Status != 0:
		writeFaultStatus(w, f)
	case f.DropAfterEffect || f.DelayAfterEffect > 0:
		s.serveThenLose(w, r, spec, f)
	default:
		return false
	}
	return true
}

// serveThenLose lets the route act and answer into a recorder, then loses
// the answer: drops the connection, or holds the answer back and sends it
// late (or drops it if the client or the server gives up first).
func (s *Server) serveThenLose(w http.ResponseWriter, r *http.Request, spec routeSpec, f Fault) {
	rec := &recorder{header: http.Header{}}
	spec.serve(s, rec, r)
	if f.DropAfterEffect || !s.sleep(r, f.DelayAfterEffect) {
		dropConnection(w)
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(cmp.Or(rec.status, http.StatusOK))
	_, _ = w.Write(rec.body.Bytes())
}

// recorder is a ResponseWriter that keeps the answer instead of sending it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// sleep waits d unless the request is cancelled or the server closes first;
// it reports whether the full wait passed.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

func writeFaultStatus(w http.ResponseWriter, f Fault) {
	if f.Status < 100 || f.Status > 599 { // WriteHeader would panic
		writeDetail(w, http.StatusInternalServerError, "sandbox: invalid fault status "+strconv.Itoa(f.Status))
		return
	}
	body := []byte(f.Body)
	if f.Body == "" {
		text := http.StatusText(f.Status)
		if text == "" {
			text = "Error"
		}
		body, _ = json.Marshal(detail{Detail: text}) // cannot fail: one string
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// dropConnection closes the connection without an answer. Hijacking works
// on HTTP/1; elsewhere net/http's ErrAbortHandler panic aborts the stream
// without logging.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
