package wrapper

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestUploadStatusStoppedArriving: an upload status whose body a try's
// timeout cuts part way is a *NetworkError saying the answer stopped
// arriving, as a listing page is, not a *DecodeError blaming its JSON.
func TestUploadStatusStoppedArriving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, cli := net.Pipe()
		defer srv.Close()
		go func() {
			if _, err := http.ReadRequest(bufio.NewReader(srv)); err != nil {
				return
			}
			io.WriteString(srv, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			part := `{"batchTrackingId":"t1","status":"processing","devicesStatus":[`
			io.WriteString(srv, strconv.FormatInt(int64(len(part)), 16)+"\r\n"+part+"\r\n")
			// and then nothing
		}()
		rt := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return cli, nil }}
		c := newRetryClient(t, "http://127.0.0.1:1", rt, policy.RetryOptions{TryTimeout: 2 * time.Second, MaxRetries: -1}, nil)
		_, err := c.GetBatchUploadStatus(context.Background(), testCustomer, "t1")
		var ne *NetworkError
		if !errors.As(err, &ne) || errors.As(err, new(*DecodeError)) || !strings.Contains(err.Error(), "stopped arriving") {
			t.Errorf("err = %v (%T), want a *NetworkError saying the answer stopped arriving", err, err)
		}
	})
}
