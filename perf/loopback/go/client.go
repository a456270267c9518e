// The Go client of the loopback harness (perf/loopback): Go's net/http Client, standard
// library only, run by the harness as a child process against its server.
//
//	client <addr> <workload> <max requests> <max milliseconds>
//
// It runs the workload the way the harness's Rust clients do (the clock starts before the
// first connect; at most that many requests and that much time), checks every response the
// same way (status 200; the first and last byte of every piece read against the body pattern,
// and the total length) and prints
//
//	requests <n> elapsed_ns <ns>
//
// then, for the hang-up workload, one "failed_at <ns>" line per request: when the error
// reached the caller, in nanoseconds since the Unix epoch on the realtime clock (the server,
// in another process, notes its close on the same clock). A wrong response exits with 1.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

var bodyLen = map[string]int{
	"keepalive": 2,
	"close":     0,
	"mib":       1 << 20,
	"chunked":   64 * 1024,
}

func patternByte(i int) byte { return byte('a' + i%26) }

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go client: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: client <addr> <workload> <max requests> <max ms>")
	}
	addr, workload := os.Args[1], os.Args[2]
	maxRequests, err1 := strconv.Atoi(os.Args[3])
	maxMs, err2 := strconv.Atoi(os.Args[4])
	if err1 != nil || err2 != nil {
		fail("bad numbers: %v %v", err1, err2)
	}
	url := "http://" + addr + "/" + workload
	// The default transport: keep-alive pool, no proxy from the environment on loopback
	// (ProxyFromEnvironment never proxies 127.0.0.1).
	client := &http.Client{}
	buf := make([]byte, 64*1024)
	var failedAt []int64
	start := time.Now()
	budget := time.Duration(maxMs) * time.Millisecond
	done := 0
	for done < maxRequests && time.Since(start) < budget {
		resp, err := client.Get(url)
		if workload == "hangup" {
			if err == nil {
				fail("hangup: a response (%d)", resp.StatusCode)
			}
			failedAt = append(failedAt, time.Now().UnixNano())
			done++
			continue
		}
		if err != nil {
			fail("%s: %v", workload, err)
		}
		if resp.StatusCode != 200 {
			fail("%s: status %d", workload, resp.StatusCode)
		}
		offset := 0
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				if buf[0] != patternByte(offset) || buf[n-1] != patternByte(offset+n-1) {
					fail("%s: body bytes %d..%d do not match the pattern", workload, offset, offset+n-1)
				}
				offset += n
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				fail("%s: %v", workload, err)
			}
		}
		resp.Body.Close()
		if offset != bodyLen[workload] {
			fail("%s: body of %d bytes, expected %d", workload, offset, bodyLen[workload])
		}
		done++
	}
	elapsed := time.Since(start)
	// Close the kept-alive connection now, so the server sees it end with this run.
	client.CloseIdleConnections()
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "requests %d elapsed_ns %d\n", done, elapsed.Nanoseconds())
	for _, t := range failedAt {
		fmt.Fprintf(out, "failed_at %d\n", t)
	}
	out.Flush()
}
