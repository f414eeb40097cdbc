package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
)

// rawStdio is the bare JSON-RPC client over stdio: one process, requests
// written as pre-encoded lines, answers matched to callers by id. Like
// rawClient, its cost per call is about the plain reference client's.
type rawStdio struct {
	cmd   *exec.Cmd
	mu    sync.Mutex // one writer at a time
	stdin io.WriteCloser
	frame callFrame
	ids   atomic.Int64

	pmu     sync.Mutex
	pending map[int64]chan []byte
	done    chan struct{}
}

// startRawStdio runs bin over stdio in the stateless era and reads its
// answers until it exits.
func startRawStdio(ctx context.Context, bin string, env []string, args []byte) (*rawStdio, error) {
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rs := &rawStdio{cmd: cmd, stdin: stdin, pending: map[int64]chan []byte{}, done: make(chan struct{})}
	rs.frame = newCallFrame(eraStateless, args)
	go rs.read(stdout)
	return rs, nil
}

func (rs *rawStdio) pid() int { return rs.cmd.Process.Pid }

func (rs *rawStdio) read(stdout io.Reader) {
	defer close(rs.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var head struct {
			ID json.RawMessage `json:"id"`
		}
		line := sc.Bytes()
		if json.Unmarshal(line, &head) != nil || len(head.ID) == 0 {
			continue // a notification
		}
		id, err := strconv.ParseInt(string(head.ID), 10, 64)
		if err != nil {
			continue
		}
		rs.pmu.Lock()
		ch := rs.pending[id]
		delete(rs.pending, id)
		rs.pmu.Unlock()
		if ch != nil {
			ch <- append([]byte(nil), line...)
		}
	}
}

// call is one tools/call; an error answer or an isError result fails it.
func (rs *rawStdio) call(ctx context.Context) error {
	id := rs.ids.Add(1)
	ch := make(chan []byte, 1)
	rs.pmu.Lock()
	rs.pending[id] = ch
	rs.pmu.Unlock()
	line := rs.frame.body(id, "\n")
	rs.mu.Lock()
	_, err := rs.stdin.Write(line)
	rs.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case got := <-ch:
		if !jsonHasResult(got) {
			return fmt.Errorf("not a successful result: %.200s", got)
		}
		return nil
	case <-rs.done:
		return errors.New("the server exited")
	case <-ctx.Done():
		rs.pmu.Lock()
		delete(rs.pending, id)
		rs.pmu.Unlock()
		return ctx.Err()
	}
}

func (rs *rawStdio) close() {
	_ = rs.stdin.Close()
	<-rs.done
	_ = rs.cmd.Wait()
}
