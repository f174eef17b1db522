package dev.herald.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.hub.auth.Authorizer;
import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.HttpEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The hub's OAuth 2.0 protected resource metadata (RFC 9728), at the path derived from the hub's
 * URL, {@value #PATH}: what a client needs to get a token for this hub (its resource identifier,
 * for {@code aud}; the authorisation server, when one is configured) and how to present it.
 */
final class ResourceMetadata implements HttpEndpoint {
  /** RFC 9728 section 3: the well-known prefix, then the resource's path. */
  static final String PATH = "/.well-known/oauth-protected-resource" + Hub.PATH;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubSettings settings;
  private final HubUrl hubUrl;

  ResourceMetadata(HubSettings settings, HubUrl hubUrl) {
    this.settings = settings;
    this.hubUrl = hubUrl;
  }

  @Override
  public CompletionStage<EndpointResponse> handle(EndpointRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return CompletableFuture.completedFuture(EndpointResponse.text(405, request.method() + " is not allowed here")
          .withHeader("allow", "GET"));
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("resource", resource(request));
    if (settings.tokens().issuer() != null) body.putArray("authorization_servers").add(settings.tokens().issuer());
    if (settings.tokens().jwks() != null && !"file".equals(settings.tokens().jwks().getScheme())) {
      body.put("jwks_uri", settings.tokens().jwks().toString());
    }
    var methods = body.putArray("bearer_methods_supported").add("header");
    if (settings.queryToken()) methods.add("query");
    var types = body.putArray("authorization_details_types_supported");
    Authorizer.AUTHORIZATION_DETAIL_TYPES.forEach(types::add);
    body.put("mercure_cookie", true);
    if (settings.subscriptionsApi()) body.put("mercure_subscriptions", true);
    return CompletableFuture.completedFuture(EndpointResponse.of(200, "application/json",
        body.toString().getBytes(StandardCharsets.UTF_8)).withHeader("cache-control", "max-age=300"));
  }

  /**
   * The resource identifier: the configured audience, which tokens must name; else this hub's URL
   * ({@code --public-url}, or as the client reached it).
   */
  private String resource(EndpointRequest request) {
    if (settings.tokens().audience() != null) return settings.tokens().audience();
    return hubUrl.forRequest(request.header("host"));
  }
}
