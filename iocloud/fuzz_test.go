package iocloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// Fuzz targets for the parsers of what io.net (or whoever answers in its
// place) sends, and of the session token an operator pastes. Their seeds run
// in every `go test`; `make fuzz` runs each for a while.

// jwtErrors are every message ParseJWTExpiry may return: fixed texts about
// the token's shape, so none can carry a piece of the token.
var jwtErrors = map[string]bool{
	"the session token is too long to be a JWT":                           true,
	"the session token is not a JWT (expected three dot-separated parts)": true,
	"the session token's payload is not base64url":                        true,
	"the session token's payload is not a JSON object":                    true,
	"the session token has no exp claim":                                  true,
	"the session token's exp claim is not a valid time":                   true,
}

// FuzzParseJWTExpiry: any token gives a valid time or one of the fixed
// errors (never its content), and an exp claim written by a JWT library
// reads back as the same instant.
func FuzzParseJWTExpiry(f *testing.F) {
	for _, seed := range []struct {
		token string
		exp   int64
		milli uint16
	}{
		{jwtWithPayload(`{"exp":1767225600}`), 1767225600, 0},
		{jwtWithPayload(`{"exp":1767225600.5,"sub":"u"}`), 1, 500},
		{jwtWithPayload(`{"exp":"1767225600"}`), 1e11, 999},
		{jwtWithPayload(`{"exp":-1}`), 0, 0},
		{jwtWithPayload(`{"exp":1e400}`), -5, 0},
		{jwtWithPayload(`[]`), 1e11 + 1, 0},
		{jwtWithPayload(`{"exp":null}`), 42, 1},
		{"a.b", 1, 0},
		{"", 1, 0},
		{"..", 1, 0},
		{"a.eyJleHAiOjF9==.c", 1, 0},
		{"a.!!!.c", 1, 0},
		{strings.Repeat("a", 16<<10+1), 1, 0},
	} {
		f.Add(seed.token, seed.exp, seed.milli)
	}
	f.Fuzz(func(t *testing.T, token string, exp int64, milli uint16) {
		at, err := ParseJWTExpiry(token)
		if err != nil {
			require.True(t, jwtErrors[err.Error()], "unexpected message %q", err.Error())
		} else {
			require.Equal(t, time.UTC, at.Location())
			require.Positive(t, at.Unix()+1, "after the epoch")
			require.LessOrEqual(t, at.Unix(), int64(1e11))
		}
		// Whatever the token, the status and its warning never quote it.
		st := jwtStatus(token, time.Unix(1767225600, 0))
		if len(token) >= 8 {
			require.NotContains(t, st.Warning(time.Unix(1767225600, 0), nil), token)
		}

		// Round trip: exp written as a JSON number (whole seconds, or with
		// milliseconds) reads back as that instant.
		if exp < 1 || exp > 1e11-1 {
			return
		}
		ms := int64(milli % 1000)
		claim := strconv.FormatInt(exp, 10)
		if ms != 0 {
			claim += fmt.Sprintf(".%03d", ms)
		}
		got, err := ParseJWTExpiry(jwtWithPayload(`{"sub":"someone","exp":` + claim + `}`))
		require.NoError(t, err, claim)
		want := time.Unix(exp, ms*int64(time.Millisecond))
		require.WithinDuration(t, want, got, time.Millisecond, claim) // float64 carries ~µs at 1e11
	})
}

// FuzzParseRetryAfter: any header value gives a wait between 0 and 24 h;
// seconds and HTTP dates written by a server read back as what they say.
func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []struct {
		v    string
		secs int64
	}{
		{"120", 120},
		{" 7 ", 7},
		{"0", 0},
		{"-5", -5},
		{"86401", 86401},
		{"9223372036854775807", 1 << 40},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 60},
		{"Sun, 06 Nov 1994 08:49:37 GMT", -60},
		{"Sunday, 06-Nov-94 08:49:37 GMT", 1},
		{"Sun Nov  6 08:49:37 1994", 1},
		{"1.5", 1},
		{"soon", 1},
		{"", 1},
	} {
		f.Add(seed.v, seed.secs)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string, secs int64) {
		d := parseRetryAfter(v, now)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, maxRetryAfter)

		want := time.Duration(0)
		switch {
		case secs > int64(maxRetryAfter/time.Second):
			want = maxRetryAfter
		case secs > 0:
			want = time.Duration(secs) * time.Second
		}
		require.Equal(t, want, parseRetryAfter(strconv.FormatInt(secs, 10), now), "seconds %d", secs)
		if secs > -1e9 && secs < 1e9 { // within a date's range
			date := now.Add(time.Duration(secs) * time.Second).Format(http.TimeFormat)
			require.Equal(t, want, parseRetryAfter(date, now), "date %s", date)
		}
	})
}

// Kinds of success body, for FuzzDecodeSuccessBody.
const (
	bodyHardware = iota
	bodyReplicas
	bodyCreatedKey
	bodyKinds
)

// FuzzDecodeSuccessBody: a 2xx body of any shape decodes to a clean result
// or a short one-line problem; a created key's secret is never shown by
// printing or encoding the result.
func FuzzDecodeSuccessBody(f *testing.F) {
	for kind, seeds := range map[uint8][]string{
		bodyHardware: {
			`{"data":{"hardware":[{"hardware_id":7,"hardware_name":" H100 80GB HBM3 ","brand_name":"NVIDIA","max_gpus_per_container":8,"available":-3}],"total":0}}`,
			`{"data":{"hardware":[{"hardware_id":0,"hardware_name":""}]}}`,
			`{"data":{"hardware":[{"hardware_id":"7"}]}}`,
			`{"data":{"hardware":[{"hardware_id":1` + strings.Repeat("0", 500) + `}]}}`,
			`{"data":null}`,
			`{}`,
			`[`,
		},
		bodyReplicas: {
			`{"data":[{"id":9,"iso2":" us ","name":"United States","available_replicas":4},{"id":12,"iso2":"de","available_replicas":-1}]}`,
			`{"data":[]}`,
			`{"data":{}}`,
			`{"data":[null]}`,
		},
		bodyCreatedKey: {
			`{"value":"io-v2-secret-value-0123456789","key":{"key_id":"3f2a","display":"io-v2-abcd...wxyz","description":"ci","project":"io-cloud","scopes":["all"],"created_at":"2025-05-06T14:37:48.605Z","expires_at":"2026-08-20T00:00:00","is_expired":false}}`,
			`{"value":"io-v2-secret-value-0123456789","key":null}`,
			`{"value":"io-v2-secret-value-0123456789","key":{"created_at":"io-v2-secret-value-0123456789"}}`,
			`{"value":"  ","key":{}}`,
			`{"value":12345678901234567890,"key":{}}`,
			`{"key":{"description":"io-v2-secret-value-0123456789"},"value":"io-v2-secret-value-0123456789"}`,
			`{"value":"s","key":{"created_at":1}}`,
		},
	} {
		for _, s := range seeds {
			f.Add(kind, []byte(s))
		}
	}
	req := KeyRequest{Description: "ci", Project: "io-cloud", Scopes: []string{"all"}, ExpiresAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		switch kind % bodyKinds {
		case bodyHardware:
			var w wireHardwareAnswer
			list, err := decodeWith(t, body, &w, w.list)
			if err != nil {
				return
			}
			require.GreaterOrEqual(t, list.Total, 0)
			for _, h := range list.Hardware {
				require.Positive(t, h.ID)
				require.NotEmpty(t, h.Name)
				require.Equal(t, strings.TrimSpace(h.Name), h.Name)
				require.GreaterOrEqual(t, h.AvailableGPUs, 0)
			}
		case bodyReplicas:
			var w wireReplicasAnswer
			list, err := decodeWith(t, body, &w, w.list)
			if err != nil {
				return
			}
			for _, l := range list.Locations {
				require.GreaterOrEqual(t, l.AvailableReplicas, 0)
				require.Equal(t, strings.ToUpper(strings.TrimSpace(l.ISO2)), l.ISO2)
			}
		case bodyCreatedKey:
			var w wireCreatedKey
			created, err := decodeWith(t, body, &w, func() (*CreatedKey, error) { return w.created(req) })
			if err != nil {
				return
			}
			secret := created.Secret.Reveal()
			require.NotEmpty(t, strings.TrimSpace(secret))
			require.Equal(t, *w.Value, secret)
			// Printing or encoding the result shows no more of the secret
			// than the key's own (public) fields already do.
			public := fmt.Sprintf("%+v", created.Key)
			publicJSON, _ := json.Marshal(created.Key)
			encoded, _ := json.Marshal(created)
			for _, shown := range []string{fmt.Sprint(created), fmt.Sprintf("%+v", created), fmt.Sprintf("%#v", created), fmt.Sprintf("%s", created.Secret), fmt.Sprintf("%x", created.Secret)} {
				if !strings.Contains(public, secret) {
					require.NotContains(t, shown, secret)
				}
			}
			if !strings.Contains(string(publicJSON), secret) {
				require.NotContains(t, string(encoded), secret)
			}
		}
	})
}

// decodeWith decodes body as Client.do does and then builds the result, and
// checks that a failure is described in one short, printable line.
func decodeWith[T any](t *testing.T, body []byte, wire any, build func() (T, error)) (T, error) {
	t.Helper()
	var zero T
	err := unmarshal(body, wire)
	if err == nil {
		var out T
		out, err = build()
		if err == nil {
			return out, nil
		}
	}
	problem := jsonProblem(err)
	require.LessOrEqual(t, utf8.RuneCountInString(problem), 200, "problem %q", problem)
	require.NotContains(t, problem, "\n")
	require.True(t, utf8.ValidString(problem))
	return zero, err
}

// FuzzParseTimestamp: any text gives a time or a short error; the formats
// io.net writes (with a zone, or zoneless UTC) read back as the same instant.
func FuzzParseTimestamp(f *testing.F) {
	for _, seed := range []struct {
		s     string
		unix  int64
		nanos uint32
	}{
		{"2025-05-06T14:37:48.605Z", 1746542268, 605e6},
		{"2026-08-20T00:00:00", 1787184000, 0},
		{"2026-08-20 00:00:00+02:00", 0, 1},
		{"2026-08-20", -62135596800, 0},
		{"  ", 253402300799, 999999999},
		{"20-08-2026", 1, 0},
		{"2026-13-45T99:99:99", 1, 0},
		{strings.Repeat("9", 100), 1, 0},
		{"\x00\xff", 1, 0},
		{"000000000000000000\xcd\xcd\xcd\xcd\xcd\xcd\xcd00000\"", 37, 0}, // found by the fuzzer: quoting makes it longer
	} {
		f.Add(seed.s, seed.unix, seed.nanos)
	}
	f.Fuzz(func(t *testing.T, s string, unix int64, nanos uint32) {
		got, err := parseTimestamp(s)
		var wt wireTime
		quoted, _ := json.Marshal(s)
		jsonErr := wt.UnmarshalJSON(quoted)
		if err != nil {
			var p *problemError
			require.ErrorAs(t, err, &p)
			// 40 bytes of the text at most, quoted: an invalid byte shows
			// as \xcd, four characters.
			require.LessOrEqual(t, utf8.RuneCountInString(err.Error()), 200)
			require.NotContains(t, err.Error(), "\n")
			require.Error(t, jsonErr, "the JSON decoder agrees")
		} else {
			require.NoError(t, jsonErr)
			require.True(t, got.Equal(wt.Time), "the JSON decoder agrees")
		}

		// Round trip, within the years time.Format writes as four digits
		// (in every zone used below).
		at := time.Unix(unix, int64(nanos%1e9)).UTC()
		if at.Year() < 2 || at.Year() > 9998 {
			return
		}
		for _, text := range []string{at.Format(time.RFC3339Nano), at.Format("2006-01-02T15:04:05.999999999"), at.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)} {
			back, err := parseTimestamp(text)
			require.NoError(t, err, text)
			require.True(t, back.Equal(at), "%s read back as %s", text, back)
		}
	})
}
