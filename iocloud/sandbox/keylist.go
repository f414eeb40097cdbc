package sandbox

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Answers of the key routes that io.net does not document (reference §10,
// marked G): the sandbox's choice.
const (
	msgKeyNotFound = "API key not found"
	revokedStatus  = "succeeded"
)

type keyListAnswer struct {
	Keys []singleAPIKey `json:"keys"`
}

// serveListKeys answers GET /v1/api-keys/: every key created through the
// sandbox and not revoked, oldest first, expired ones included with
// is_expired true; never a secret.
func (s *Server) serveListKeys(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	now := s.now()
	ans := keyListAnswer{Keys: []singleAPIKey{}}
	s.mu.Lock()
	for _, k := range s.keys {
		if !k.Revoked {
			ans.Keys = append(ans.Keys, k.single(now))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ans)
}

// serveRevokeKey answers DELETE /v1/api-keys/{key_id}: token first, then
// the id (422 for anything but a UUID, as FastAPI's uuid path parameter),
// then 404 for an id the sandbox does not know (or revoked already), else
// 200 {"status":"succeeded"}. A revoked key leaves the list and stops
// opening the read routes.
func (s *Server) serveRevokeKey(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	raw := strings.TrimPrefix(r.URL.Path, PathListKeys)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 { // uuid.Parse also takes braces and urn: forms; Pydantic's path uuid takes the plain form here
		const reason = "invalid character or length"
		write422(w, []fieldError{{
			Type: "uuid_parsing", Loc: []any{"path", "key_id"},
			Msg:   "Input should be a valid UUID, " + reason,
			Input: raw, Ctx: map[string]any{"error": reason},
		}})
		return
	}
	s.mu.Lock()
	found := false
	for i := range s.keys {
		if !s.keys[i].Revoked && strings.EqualFold(s.keys[i].KeyID, id.String()) {
			s.keys[i].Revoked = true
			found = true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		writeDetail(w, http.StatusNotFound, msgKeyNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": revokedStatus})
}
