// Smoke run of the Java client generated from openapi.yaml (sdks-generated/java, library
// `native`) against a live server, run by test/polyglot/smoke.polyglot.ts as a single source
// file (`java -cp <client classes and its dependencies> Smoke.java`):
//
//  1. send a template, 2. read its status with the id the send returned (a String both ways),
//  3. get a typed error for a bad key, and, through a proxy that rewrites answers the way a later
//     API version might (MOJEEB_FUTURE_BASE_URL):
//  4. an error whose code, type and extra field this client has never heard of,
//  5. a message with a field added later and a status and type this client does not know.
//
// Environment: MOJEEB_BASE_URL, MOJEEB_API_KEY, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO,
// MOJEEB_FUTURE_BASE_URL. Prints one JSON line with what it saw; exits 1 when a step fails.
// The generated models drop unknown fields (the ObjectMapper ignores them), so `extra` is what
// the raw body carried beyond the model, for the test to compare.
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mojeeb.client.ApiClient;
import com.mojeeb.client.ApiException;
import com.mojeeb.client.api.WhatsAppApi;
import com.mojeeb.client.model.ApiError;
import com.mojeeb.client.model.ErrorResponse;
import com.mojeeb.client.model.Message;
import com.mojeeb.client.model.SendTemplateRequest;
import com.mojeeb.client.model.TemplateContent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

public class Smoke {
  static final String BAD_KEY = "mk_test_thisIsNotARealKey0000_0000000000";
  static final ObjectMapper JSON = new ObjectMapper();

  static WhatsAppApi api(String baseUrl, String key) {
    ApiClient client = new ApiClient();
    client.updateBaseUri(baseUrl);
    client.setReadTimeout(Duration.ofSeconds(15));
    client.setRequestInterceptor(builder -> builder.header("Authorization", "Bearer " + key));
    return new WhatsAppApi(client);
  }

  static Map<String, Object> error(ApiException e) throws Exception {
    // The typed model, deserialised with the generated client's own ObjectMapper.
    ErrorResponse envelope = new ApiClient().getObjectMapper().readValue(e.getResponseBody(), ErrorResponse.class);
    ApiError err = envelope.getError();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", e.getCode());
    out.put("type", err.getType());
    out.put("code", err.getCode());
    out.put("message", err.getMessage());
    out.put("correlation_id", err.getCorrelationId());
    out.put("www_authenticate", e.getResponseHeaders().firstValue("www-authenticate").orElse(null));
    return out;
  }

  interface Call { void run() throws Exception; }

  static Map<String, Object> expectError(Call call) throws Exception {
    try {
      call.run();
    } catch (ApiException e) {
      return error(e);
    }
    throw new AssertionError("expected an error");
  }

  public static void main(String[] args) {
    try {
      Map<String, String> env = System.getenv();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("language", "java");
      WhatsAppApi whatsapp = api(env.get("MOJEEB_BASE_URL"), env.get("MOJEEB_API_KEY"));

      TemplateContent template = new TemplateContent().name("order_shipped").language("en")
          .putParametersItem("customer_name", "Sara").putParametersItem("tracking_url", "https://track.example/java");
      SendTemplateRequest request = new SendTemplateRequest().agentId(env.get("MOJEEB_AGENT_ID"))
          .from(env.get("MOJEEB_FROM")).to(env.get("MOJEEB_TO")).template(template);
      Message sent = whatsapp.sendWhatsAppTemplate(request, UUID.randomUUID().toString(), null);
      String id = sent.getId(); // a String: the same type getWhatsAppMessageStatus takes
      out.put("sent", Map.of("id", id, "status", sent.getStatus(), "type", sent.getType()));

      Message read = whatsapp.getWhatsAppMessageStatus(id, null);
      if (!read.getId().equals(id)) throw new AssertionError("read " + read.getId() + ", sent " + id);
      out.put("read", Map.of("id", read.getId(), "status", read.getStatus(), "created_at", read.getCreatedAt().toString()));

      Map<String, Object> badKey = expectError(() -> api(env.get("MOJEEB_BASE_URL"), BAD_KEY).getWhatsAppMessageStatus(id, null));
      badKey.put("extra", Map.of());
      out.put("bad_key", badKey);

      String future = env.get("MOJEEB_FUTURE_BASE_URL");
      if (future != null && !future.isEmpty()) {
        Map<String, Object> futureError = expectError(() -> api(future, BAD_KEY).getWhatsAppMessageStatus(id, null));
        futureError.put("extra", Map.of());
        out.put("future_error", futureError);
        Message later = api(future, env.get("MOJEEB_API_KEY")).getWhatsAppMessageStatus(id, null);
        Map<String, Object> laterOut = new LinkedHashMap<>();
        laterOut.put("id", later.getId());
        laterOut.put("status", later.getStatus());
        laterOut.put("type", later.getType());
        laterOut.put("extra", Map.of());
        out.put("future_message", laterOut);
      }
      System.out.println(JSON.writeValueAsString(out));
    } catch (Throwable error) {
      System.err.println("java smoke FAILED: " + error.getClass().getName() + ": " + error.getMessage());
      if (error instanceof ApiException) System.err.println(((ApiException) error).getResponseBody());
      System.exit(1);
    }
  }
}
