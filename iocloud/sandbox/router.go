package sandbox

import (
	"net/http"
	"slices"
	"strings"
)

// routeSpec is one simulated io.net route.
type routeSpec struct {
	route     Route
	method    string
	path      string
	param     bool // path is a prefix followed by one path parameter (e.g. a key id)
	serve     func(*Server, http.ResponseWriter, *http.Request)
	success   int    // status of a normal answer (used by Malformed faults too)
	truncated string // the Malformed fault's body: valid JSON cut short, no secret in it
}

var routeTable = []routeSpec{
	{
		route: RouteHardware, method: http.MethodGet, path: PathHardware,
		serve: (*Server).serveHardware, success: http.StatusOK,
		truncated: `{"data":{"hardware":[{"hardware_id":7,"hardware_name":"H100 80GB HBM3","brand_na`,
	},
	{
		route: RouteReplicas, method: http.MethodGet, path: PathReplicas,
		serve: (*Server).serveReplicas, success: http.StatusOK,
		truncated: `{"data":[{"id":4,"iso2":"US","name":"United Sta`,
	},
	{
		route: RoutePrice, method: http.MethodGet, path: PathPrice,
		serve: (*Server).servePrice, success: http.StatusOK,
		truncated: `{"data":{"replica_count":1,"gpus_per_container":1,"available_replica_count":[4`,
	},
	{
		route: RouteCreateKey, method: http.MethodPost, path: PathCreateKey,
		serve: (*Server).serveCreateKey, success: http.StatusCreated,
		truncated: `{"value":"io-v2-`,
	},
	{
		route: RouteListKeys, method: http.MethodGet, path: PathListKeys,
		serve: (*Server).serveListKeys, success: http.StatusOK,
		truncated: `{"keys":[{"key_id":"`,
	},
	{
		route: RouteRevokeKey, method: http.MethodDelete, path: PathListKeys, param: true,
		serve: (*Server).serveRevokeKey, success: http.StatusOK,
		truncated: `{"status":"succ`,
	},
}

func (spec routeSpec) matches(path string) bool {
	if !spec.param {
		return path == spec.path
	}
	rest, ok := strings.CutPrefix(path, spec.path)
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// lookupRoutes finds every route serving path (one per method).
func lookupRoutes(path string) []routeSpec {
	var out []routeSpec
	for _, spec := range routeTable {
		if spec.matches(path) {
			out = append(out, spec)
		}
	}
	return out
}

// route dispatches like Starlette's router: an exact path match; otherwise a
// 307 to the same path with its trailing slash toggled when that one exists
// (redirect_slashes, whatever the method); otherwise 404. A known path with
// another method is a 405 with Allow. Only requests that reach a route are
// counted and can be faulted.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	specs := lookupRoutes(r.URL.Path)
	if len(specs) == 0 {
		if alt, found := toggledSlash(r.URL.Path); found {
			redirectTo(w, r, alt)
			return
		}
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	i := slices.IndexFunc(specs, func(sp routeSpec) bool { return sp.method == r.Method })
	if i < 0 {
		allow := make([]string, 0, len(specs))
		for _, sp := range specs {
			allow = append(allow, sp.method)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	spec := specs[i]
	if f, faulted := s.arrive(spec.route); faulted && s.applyFault(w, r, spec, f) {
		return
	}
	spec.serve(s, w, r)
}

func toggledSlash(path string) (string, bool) {
	if path == "/" || path == "" {
		return "", false
	}
	alt := path + "/"
	if strings.HasSuffix(path, "/") {
		alt = strings.TrimSuffix(path, "/")
	}
	return alt, len(lookupRoutes(alt)) > 0
}

// redirectTo answers 307 with an absolute Location on the same host, keeping
// the query, and an empty body (as Starlette's RedirectResponse does).
func redirectTo(w http.ResponseWriter, r *http.Request, path string) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	loc := scheme + "://" + r.Host + path
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusTemporaryRedirect)
}
