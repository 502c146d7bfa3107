// Smoke run of the Go client generated from openapi.yaml against a live server:
//
//  1. send a template, 2. read its status, 3. get a typed error for a bad key, and, through a
//     proxy that rewrites answers the way a later API version might (MOJEEB_FUTURE_BASE_URL):
//  4. an error whose code, type and extra field this client has never heard of,
//  5. a message with a field added later and a status and type this client does not know;
//  6. lists: a simulated customer message, a reply, then a walk through the conversation's
//     messages two at a time (next_cursor → cursor) and the window lookup.
//
// Environment: MOJEEB_BASE_URL, MOJEEB_API_KEY, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO,
// MOJEEB_FUTURE_BASE_URL. Prints one JSON line with what it saw; exits 1 when a step fails.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	mojeeb "github.com/mojeeb/mojeeb-go"
)

const badKey = "mk_test_thisIsNotARealKey0000_0000000000"

type apiError struct {
	Status        int                    `json:"status"`
	Type          string                 `json:"type"`
	Code          string                 `json:"code"`
	Message       string                 `json:"message"`
	CorrelationID string                 `json:"correlation_id"`
	Extra         map[string]interface{} `json:"extra"`
}

func client(baseURL string) *mojeeb.APIClient {
	cfg := mojeeb.NewConfiguration()
	cfg.Servers = mojeeb.ServerConfigurations{{URL: baseURL}}
	cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	return mojeeb.NewAPIClient(cfg)
}

func authed(key string) context.Context {
	return context.WithValue(context.Background(), mojeeb.ContextAccessToken, key)
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go smoke FAILED: "+format+"\n", args...)
	os.Exit(1)
}

// typedError turns the generated client's error into the envelope it deserialised.
func typedError(status int, err error) apiError {
	var generic *mojeeb.GenericOpenAPIError
	if !errors.As(err, &generic) {
		fail("not a *GenericOpenAPIError: %T %v", err, err)
	}
	envelope, ok := generic.Model().(mojeeb.ErrorResponse)
	if !ok {
		fail("the error model is %T, not an ErrorResponse (body %s)", generic.Model(), generic.Body())
	}
	e := envelope.GetError()
	return apiError{Status: status, Type: e.GetType(), Code: e.GetCode(), Message: e.GetMessage(), CorrelationID: e.GetCorrelationId(), Extra: e.AdditionalProperties}
}

func main() {
	env := os.Getenv
	out := map[string]interface{}{"language": "go"}
	api := client(env("MOJEEB_BASE_URL")).WhatsAppAPI
	ctx := authed(env("MOJEEB_API_KEY"))

	parameters := map[string]string{"customer_name": "Sara", "tracking_url": "https://track.example/go"}
	template := mojeeb.NewTemplateContent("order_shipped", "en")
	template.SetParameters(parameters)
	request := mojeeb.NewSendTemplateRequest(env("MOJEEB_AGENT_ID"), env("MOJEEB_FROM"), env("MOJEEB_TO"), *template)

	sent, resp, err := api.SendWhatsAppTemplate(ctx).SendTemplateRequest(*request).IdempotencyKey(uuid()).Execute()
	if err != nil {
		fail("send template: %v", err)
	}
	out["sent"] = map[string]interface{}{"id": sent.GetId(), "status": sent.GetStatus(), "type": sent.GetType(), "http": resp.StatusCode}

	read, _, err := api.GetWhatsAppMessageStatus(ctx, sent.GetId()).Execute()
	if err != nil {
		fail("read status: %v", err)
	}
	if read.GetId() != sent.GetId() {
		fail("read %s, sent %s", read.GetId(), sent.GetId())
	}
	out["read"] = map[string]interface{}{"id": read.GetId(), "status": read.GetStatus(), "created_at": read.GetCreatedAt().Format(time.RFC3339)}

	_, resp, err = client(env("MOJEEB_BASE_URL")).WhatsAppAPI.GetWhatsAppMessageStatus(authed(badKey), sent.GetId()).Execute()
	if err == nil {
		fail("a bad key was accepted")
	}
	out["bad_key"] = typedError(resp.StatusCode, err)

	if future := env("MOJEEB_FUTURE_BASE_URL"); future != "" {
		_, resp, err = client(future).WhatsAppAPI.GetWhatsAppMessageStatus(authed(badKey), sent.GetId()).Execute()
		if err == nil {
			fail("a bad key was accepted (future)")
		}
		out["future_error"] = typedError(resp.StatusCode, err)
		later, _, err := client(future).WhatsAppAPI.GetWhatsAppMessageStatus(ctx, sent.GetId()).Execute()
		if err != nil {
			fail("a message with a field added later: %v", err)
		}
		out["future_message"] = map[string]interface{}{"id": later.GetId(), "status": later.GetStatus(), "type": later.GetType(), "extra": later.AdditionalProperties}
	}

	out["paging"] = walkMessages(api, ctx, *request)

	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

// walkMessages: the customer writes, we reply, then the conversation's messages are listed page by page.
func walkMessages(api *mojeeb.WhatsAppAPIService, ctx context.Context, reply mojeeb.SendTemplateRequest) map[string]interface{} {
	env := os.Getenv
	simulated := mojeeb.NewSandboxInboundRequest(env("MOJEEB_AGENT_ID"), env("MOJEEB_FROM"), env("MOJEEB_TO"))
	simulated.SetText(*mojeeb.NewTextContent("Go asks"))
	inbound, _, err := api.SimulateWhatsAppInboundMessage(ctx).SandboxInboundRequest(*simulated).Execute()
	if err != nil {
		fail("simulate inbound: %v", err)
	}
	sent, _, err := api.SendWhatsAppTemplate(ctx).SendTemplateRequest(reply).IdempotencyKey(uuid()).Execute()
	if err != nil {
		fail("reply: %v", err)
	}
	items := []map[string]interface{}{}
	pages := 0
	cursor := ""
	for {
		call := api.ListWhatsAppMessages(ctx).Limit(2).ConversationId(inbound.GetConversationId())
		if cursor != "" {
			call = call.Cursor(cursor)
		}
		page, _, err := call.Execute()
		if err != nil {
			fail("list page %d: %v", pages+1, err)
		}
		pages++
		for _, item := range page.GetData() {
			switch {
			case item.Message != nil:
				items = append(items, map[string]interface{}{"id": item.Message.GetId(), "direction": item.Message.GetDirection(), "model": "Message"})
			case item.InboundMessage != nil:
				items = append(items, map[string]interface{}{"id": item.InboundMessage.GetId(), "direction": item.InboundMessage.GetDirection(), "model": "InboundMessage"})
			default:
				fail("a list item that is neither a Message nor an InboundMessage")
			}
		}
		if !page.GetHasMore() {
			if page.NextCursor.IsSet() && page.NextCursor.Get() != nil {
				fail("has_more false with a next_cursor")
			}
			break
		}
		cursor = page.GetNextCursor()
		if pages >= 500 {
			fail("the walk does not end")
		}
	}
	window, _, err := api.GetWhatsAppWindow(ctx).From(env("MOJEEB_FROM")).To(env("MOJEEB_TO")).Execute()
	if err != nil {
		fail("window: %v", err)
	}
	return map[string]interface{}{
		"conversation_id": inbound.GetConversationId(),
		"reply_id":        sent.GetId(),
		"pages":           pages,
		"items":           items,
		"window":          map[string]interface{}{"open": window.GetOpen(), "conversation_id": window.GetConversationId()},
	}
}
