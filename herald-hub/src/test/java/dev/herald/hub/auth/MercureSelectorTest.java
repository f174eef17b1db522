package dev.herald.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Selector matching, table by table, as the Mercure reference hub matches. */
class MercureSelectorTest {
  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      # simple {var}: unreserved, pct-encoded and ',' ; the whole expression is optional
      https://example.com/books/{id}     | https://example.com/books/1               | true
      https://example.com/books/{id}     | https://example.com/books/war-and_peace.~ | true
      https://example.com/books/{id}     | https://example.com/books/a%20b           | true
      https://example.com/books/{id}     | https://example.com/books/1,2             | true
      https://example.com/books/{id}     | https://example.com/books/                | true
      https://example.com/books/{id}     | https://example.com/books/{id}            | true
      https://example.com/books/{id}     | https://example.com/books/1/reviews       | false
      https://example.com/books/{id}     | https://example.com/books/1?x=1           | false
      https://example.com/books/{id}     | https://example.com/books/1#top           | false
      https://example.com/books/{id}     | https://example.com/books/a b             | false
      https://example.com/books/{id}     | https://example.com/books/a=b             | false
      https://example.com/books/{id}     | https://example.com/books/a:b             | false
      https://example.com/books/{id}     | https://example.com/books/%2              | false
      https://example.com/books/{id}     | https://example.com/books/é               | false
      https://example.com/books/{id}     | https://example.org/books/1               | false
      https://example.com/books/{id}     | https://example.com/books                 | false
      https://example.com/{a}/{b}        | https://example.com/1/2                   | true
      https://example.com/{a}/{b}        | https://example.com/1/2/3                 | false
      https://example.com/{a,b}          | https://example.com/1,2                   | true
      # {+var} and {#var} also allow reserved characters, so they cross slashes
      https://example.com/{+path}        | https://example.com/a/b/c                 | true
      https://example.com/{+path}        | https://example.com/a/b?c=d&e=f#g         | true
      https://example.com/{+path}        | https://example.com/                      | true
      https://example.com/{+path}        | https://example.com/a b                   | false
      https://example.com/page{#frag}    | https://example.com/page#sec/1            | true
      https://example.com/page{#frag}    | https://example.com/page                  | true
      https://example.com/page{#frag}    | https://example.com/pagesec               | false
      # {/var} and {/var*}
      https://example.com/books{/id}     | https://example.com/books/1               | true
      https://example.com/books{/id}     | https://example.com/books                 | true
      https://example.com/books{/id}     | https://example.com/books/1/2             | false
      https://example.com/books{/id*}    | https://example.com/books/1/2/3           | true
      https://example.com/books{/a,b}    | https://example.com/books/1/2             | true
      https://example.com/books{/a,b}    | https://example.com/books/1/2/3           | false
      # {.var}
      https://example.com/file{.ext}     | https://example.com/file.json             | true
      https://example.com/file{.ext}     | https://example.com/file                  | true
      https://example.com/file{.ext}     | https://example.com/file/json             | false
      # {;var}, {?var}, {&var}: named, so '=' is allowed
      https://example.com/x{;id}         | https://example.com/x;id=5                | true
      https://example.com/x{;id}         | https://example.com/x;id=5;y=6            | false
      https://example.com/x{;a,b}        | https://example.com/x;a=5;b=6             | true
      https://example.com/books{?page}   | https://example.com/books?page=2          | true
      https://example.com/books{?page}   | https://example.com/books                 | true
      https://example.com/books{?page}   | https://example.com/books?page=2&size=9   | false
      https://example.com/books{?p,s}    | https://example.com/books?p=1&s=2         | true
      https://example.com/books{?p,s}    | https://example.com/books?p=1&s=2&t=3     | false
      https://example.com/books{?q*}     | https://example.com/books?a=1&b=2&c=3     | true
      https://example.com/b?page=1{&x}   | https://example.com/b?page=1&x=2          | true
      https://example.com/b?page=1{&x}   | https://example.com/b?page=1              | true
      https://example.com/b?page=1{&x}   | https://example.com/b?page=1&x=2&y=3      | false
      # a prefix modifier parses but does not limit the match (as in the reference hub)
      https://example.com/{id:2}         | https://example.com/12345                 | true
      # a non-template selector is an exact string
      https://example.com/books/1        | https://example.com/books/1               | true
      https://example.com/books/1        | https://example.com/books/12              | false
      https://example.com/books/1        | HTTPS://EXAMPLE.COM/books/1               | false
      """)
  void templates(String selector, String topic, boolean matches) {
    assertThat(MercureSelector.template(selector).matches(topic)).isEqualTo(matches);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com/books/1", "", "urn:x", "{not a template", "é"})
  void wildcardMatchesEveryTopic(String topic) {
    assertThat(MercureSelector.template("*").matches(topic)).isTrue();
    assertThat(MercureSelector.exact("*").matches(topic)).isTrue();
    assertThat(MercureSelector.urlPattern("*").matches(topic)).isTrue();
    assertThat(MercureSelector.template("*").isWildcard()).isTrue();
  }

  @Test
  void exactSelectorsNeverReadTemplates() {
    MercureSelector exact = MercureSelector.exact("https://example.com/books/{id}");
    assertThat(exact.matches("https://example.com/books/1")).isFalse();
    assertThat(exact.matches("https://example.com/books/{id}")).isTrue();
    assertThat(exact.exactTopic()).contains("https://example.com/books/{id}");
  }

  @Test
  void exactTopicIsOnlyForSelectorsThatMatchOneTopic() {
    assertThat(MercureSelector.template("https://example.com/books/1").exactTopic()).contains("https://example.com/books/1");
    assertThat(MercureSelector.template("https://example.com/books/{id}").exactTopic()).isEmpty();
    assertThat(MercureSelector.template("*").exactTopic()).isEmpty();
    assertThat(MercureSelector.urlPattern("https://example.com/books/1").exactTopic()).isEmpty();
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      https://example.com/books/:id          | https://example.com/books/1              | true
      https://example.com/books/:id          | https://example.com/books/              | false
      https://example.com/books/:id          | https://example.com/books/1/reviews      | false
      https://example.com/books/:id          | https://example.com/books/1?x=1          | false
      https://example.com/books/:id/reviews  | https://example.com/books/1/reviews      | true
      https://example.com/:type/:id          | https://example.com/authors/7            | true
      https://example.com/books/*            | https://example.com/books/1/reviews      | true
      https://example.com/books/*            | https://example.com/books/               | true
      https://example.com/books/*            | https://example.com/authors/1            | false
      http://localhost:3000/rooms/:room      | http://localhost:3000/rooms/lobby        | true
      urn:device\\:thermostat-01             | urn:device:thermostat-01                 | true
      urn:device\\:thermostat-01             | urn:device:thermostat-02                 | false
      /.well-known/mercure/subscriptions/*   | /.well-known/mercure/subscriptions/a/b   | true
      https://example.com/a\\*b              | https://example.com/a*b                  | true
      https://example.com/a\\*b              | https://example.com/axb                  | false
      """)
  void urlPatterns(String pattern, String topic, boolean matches) {
    assertThat(MercureSelector.urlPattern(pattern).matches(topic)).isEqualTo(matches);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://example.com/books/:id?", "https://example.com/books/:id+", "https://example.com/books/(\\d+)",
      "https://example.com/{books}?", "https://example.com/x\\"})
  void unsupportedUrlPatternSyntaxIsRefused(String pattern) {
    assertThatThrownBy(() -> MercureSelector.urlPattern(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid URL pattern");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      https://example.com/{id              | unclosed expression
      https://example.com/{}               | expected a variable name
      https://example.com/{=x}             | reserved
      https://example.com/{@x}             | reserved
      https://example.com/{id}}            | '}' without a matching '{'
      https://example.com/{a b}            | expected ',' or '}'
      https://example.com/{x:0}            | prefix length
      https://example.com/{x:10000}        | prefix length
      https://example.com/{x.}             | cannot end with '.'
      https://example.com/a b/{id}         | character ' ' is not allowed
      https://example.com/{%zz}            | two hexadecimal digits
      https://example.com/%4/{id}          | two hexadecimal digits
      """)
  void invalidTemplatesAreRefusedWithTheReason(String template, String reason) {
    assertThatThrownBy(() -> MercureSelector.template(template))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid URI template \"" + template + "\" at index ")
        .hasMessageContaining(reason);
  }

  @Test
  void emptyAndOverlongSelectorsAreRefused() {
    assertThatThrownBy(() -> MercureSelector.exact("")).hasMessage("empty topic selector");
    String huge = "x".repeat(MercureSelector.MAX_SELECTOR_CHARS + 1);
    assertThatThrownBy(() -> MercureSelector.exact(huge)).hasMessageContaining("longer than");
  }

  @Test
  void varnamesMayHoldDotsAndPercentEncodedCharacters() {
    assertThat(MercureSelector.template("https://example.com/{user.id}/{%41b}").matches("https://example.com/1/2")).isTrue();
  }

  @Test
  void matchingStaysLinearOnPathologicalTemplates() {
    // With a backtracking regex engine this is O(n^8) and never finishes.
    MercureSelector selector = MercureSelector.template("{a}{b}{c}{d}{e}{f}{g}{h}!");
    String topic = "a".repeat(20_000) + "?";
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(selector.matches(topic)).isFalse());
    assertThat(selector.matches("abc!")).isTrue();
  }

  @Test
  void compiledSelectorsAreSharedThroughTheCache() {
    assertThat(MercureSelector.template("https://example.com/cached/{id}"))
        .isSameAs(MercureSelector.template("https://example.com/cached/{id}"))
        .isEqualTo(MercureSelector.of(MercureSelector.Kind.TEMPLATE, "https://example.com/cached/{id}"))
        .isNotEqualTo(MercureSelector.exact("https://example.com/cached/{id}"));
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "https://example.com/books/:id,      HTTPS://EXAMPLE.com/books/1,      true",
      "HTTPS://Example.COM/books/:id,      https://example.com/books/1,      true",
      "https://example.com/books/:id,      https://example.com/BOOKS/1,      false",
      "https://:host.example.com/books/*,  https://API.Example.com/books/1,  true",
  })
  void urlPatternsCompareSchemeAndHostCaseInsensitivelyAndTheRestAsWritten(String pattern, String topic, boolean matches) {
    assertThat(MercureSelector.urlPattern(pattern).matches(topic)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "/books/:id,                                     https://hub.example.com/books/1,  true",
      "/books/:id,                                     /books/1,                         true",
      "/books/:id,                                     https://other.example/books/1,    false",
      "https://hub.example.com/books/:id,              /books/1,                         true",
      "books/:id,                                      https://hub.example.com/.well-known/books/1, true",
      "//hub.example.com/books/:id,                    https://hub.example.com/books/1,  true",
      "/.well-known/mercure/subscriptions/Exact/*,     /.well-known/mercure/subscriptions/Exact/a/b, true",
  })
  void againstTheHubsUrlRelativePatternsAndTopicsResolveBeforeMatching(String pattern, String topic, boolean matches) {
    URI hub = URI.create("https://hub.example.com/.well-known/mercure");
    assertThat(MercureSelector.urlPattern(pattern).against(hub).matches(topic)).isEqualTo(matches);
  }

  @Test
  void onlyUrlPatternsResolve() {
    URI hub = URI.create("https://hub.example.com/.well-known/mercure");
    assertThat(MercureSelector.exact("/books/1").against(hub).matches("https://hub.example.com/books/1")).isFalse();
    assertThat(MercureSelector.template("/books/{id}").against(hub).matches("https://hub.example.com/books/1")).isFalse();
    assertThat(MercureSelector.exact("/books/1").against(hub).matches("/books/1")).isTrue();
  }
}
