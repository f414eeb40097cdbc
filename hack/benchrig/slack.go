package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// benchSigningSecret signs the rig's slash commands (a made-up value for a
// bot that only ever talks to this rig on loopback).
const benchSigningSecret = "benchrig-signing-secret-0123456789"

// sink stands in for Slack's response_url: it holds each post for delay,
// then tells the worker waiting for that command's answer. It counts the
// connections it accepts, so reuse by the bot can be read off it.
type sink struct {
	srv   *http.Server
	url   string
	delay atomic.Int64
	conns atomic.Int64
	posts atomic.Int64

	mu      sync.Mutex
	waiting map[string]chan struct{}
}

func startSink(ctx context.Context) (*sink, error) {
	s := &sink{waiting: map[string]chan struct{}{}}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		},
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *sink) close() { _ = s.srv.Close() }

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	if d := time.Duration(s.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	s.posts.Add(1)
	w.WriteHeader(http.StatusOK)
	id := strings.TrimPrefix(r.URL.Path, "/r/")
	s.mu.Lock()
	ch := s.waiting[id]
	delete(s.waiting, id)
	s.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// expect registers the answer of command id before it is sent.
func (s *sink) expect(id string) <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	s.waiting[id] = ch
	s.mu.Unlock()
	return ch
}

func (s *sink) forget(id string) {
	s.mu.Lock()
	delete(s.waiting, id)
	s.mu.Unlock()
}

var commandSeq atomic.Int64

// slashCommand posts one signed /iocloud command, as Slack does, and says
// whether the acknowledgement was a "busy" refusal.
func slashCommand(ctx context.Context, hc *http.Client, botURL, text, responseURL string) (busy bool, err error) {
	id := strconv.FormatInt(commandSeq.Add(1), 10)
	form := url.Values{
		"command": {"/iocloud"}, "text": {text}, "team_id": {"T0BENCH"}, "channel_id": {"C0BENCH"},
		"user_id": {"U0BENCH"}, "user_name": {"bench"}, "response_url": {responseURL}, "trigger_id": {"bench." + id},
	}
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(benchSigningSecret))
	_, _ = io.WriteString(mac, "v0:"+ts+":"+body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, botURL+"/slack/commands", strings.NewReader(body)) //nolint:gosec // the rig's own bot on 127.0.0.1
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := hc.Do(req) //nolint:gosec // the rig's own bot on 127.0.0.1
	if err != nil {
		return false, err
	}
	defer func() { _ = resp.Body.Close() }()
	ack, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("bot answered %d", resp.StatusCode)
	}
	return strings.Contains(string(ack), "Busy right now"), nil
}

// slackResult is one Slack phase.
type slackResult struct {
	ack          sample
	busy         int64
	commands     int64
	cpuPerCmd    float64 // µs
	connsPerPost float64
}

// slackPhase runs p against the bot. With waitAnswer each worker waits
// for its answer at the sink before the next command (a person reads the
// answer first), bounded by p.callTime.
func slackPhase(ctx context.Context, p phase, hc *http.Client, bot *serverProc, sk *sink, waitAnswer bool) slackResult {
	var busy, cmds atomic.Int64
	var mu sync.Mutex
	var acks []time.Duration
	cpu0, _ := cpuTime(bot.pid())
	conns0, posts0 := sk.conns.Load(), sk.posts.Load()
	s := p.run(ctx, func(ctx context.Context, _ int) error {
		id := "c" + strconv.FormatInt(commandSeq.Add(1), 10)
		var answered <-chan struct{}
		if waitAnswer {
			answered = sk.expect(id)
		}
		cmds.Add(1)
		t0 := time.Now()
		b, err := slashCommand(ctx, hc, bot.url, "hardware", sk.url+"/r/"+id)
		if err == nil {
			d := time.Since(t0)
			mu.Lock()
			acks = append(acks, d)
			mu.Unlock()
		}
		if err != nil || !waitAnswer {
			sk.forget(id)
			if b {
				busy.Add(1)
			}
			return err
		}
		if b {
			busy.Add(1)
			sk.forget(id)
			return nil
		}
		select {
		case <-answered:
			return nil
		case <-ctx.Done():
			sk.forget(id)
			return errors.New("no answer at response_url in time")
		}
	})
	cpu1, _ := cpuTime(bot.pid())
	slices.Sort(acks)
	s.lat = acks // the acknowledgement's latency, not the answer's
	r := slackResult{ack: s, busy: busy.Load(), commands: cmds.Load()}
	if r.commands > 0 {
		r.cpuPerCmd = float64((cpu1 - cpu0).Microseconds()) / float64(r.commands)
	}
	if posts := sk.posts.Load() - posts0; posts > 0 {
		r.connsPerPost = float64(sk.conns.Load()-conns0) / float64(posts)
	}
	return r
}

// startSlackbot starts the bot in HTTP mode against up.
func startSlackbot(ctx context.Context, bin string, up *upstream) (*serverProc, error) {
	addr, err := freeAddr(ctx)
	if err != nil {
		return nil, err
	}
	env := baseEnv("SLACK_SIGNING_SECRET="+benchSigningSecret, "IOCLOUD_SLACK_ADDR="+addr,
		"IOCLOUD_BASE_URL="+up.url, "IOCLOUD_API_KEY=bench", "IOCLOUD_CACHE_TTL=0", "IOCLOUD_TIMEOUT=5s")
	return startHTTPServer(ctx, bin, nil, env, addr)
}
