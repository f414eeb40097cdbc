package sandbox

import (
	"net/http"
	"strings"
)

// routeSpec is one simulated io.net route.
type routeSpec struct {
	route     Route
	method    string
	path      string
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
		route: RouteCreateKey, method: http.MethodPost, path: PathCreateKey,
		serve: (*Server).serveCreateKey, success: http.StatusCreated,
		truncated: `{"value":"io-v2-`,
	},
}

func lookupRoute(path string) (routeSpec, bool) {
	for _, spec := range routeTable {
		if spec.path == path {
			return spec, true
		}
	}
	return routeSpec{}, false
}

// route dispatches like Starlette's router: an exact path match; otherwise a
// 307 to the same path with its trailing slash toggled when that one exists
// (redirect_slashes, whatever the method); otherwise 404. A known path with
// another method is a 405 with Allow. Only requests that reach a route are
// counted and can be faulted.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	spec, ok := lookupRoute(r.URL.Path)
	if !ok {
		if alt, found := toggledSlash(r.URL.Path); found {
			redirectTo(w, r, alt)
			return
		}
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method != spec.method {
		w.Header().Set("Allow", spec.method)
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
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
	_, ok := lookupRoute(alt)
	return alt, ok
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
