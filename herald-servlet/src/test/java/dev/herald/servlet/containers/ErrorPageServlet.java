package dev.herald.servlet.containers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The application's error page. Its body is an event, so that a stream it was rendered onto (the
 * container dispatched an async error nobody completed) shows it to its reader.
 */
final class ErrorPageServlet extends HttpServlet {
  static final String PATH = "/error";
  static final String BODY = "event: error-page\ndata: the application's error page\n\n";

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    res.getOutputStream().write(BODY.getBytes(StandardCharsets.UTF_8));
  }
}
