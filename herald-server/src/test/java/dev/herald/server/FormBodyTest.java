package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link EndpointRequest#form()}: strict form decoding, every error a one-line message naming the field. */
class FormBodyTest {
  private static Map<String, List<String>> form(String body) {
    return FormBody.decode(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesEscapesPlusesAndRepeatedFieldsInOrder() {
    assertThat(form("topic=a%2Fb&topic=c&data=caf%C3%A9+au+lait&empty=&flag"))
        .containsExactly(Map.entry("topic", List.of("a/b", "c")), Map.entry("data", List.of("café au lait")),
            Map.entry("empty", List.of("")), Map.entry("flag", List.of("")));
    assertThat(form("")).isEmpty();
    assertThat(form("&&a=1&")).containsExactly(Map.entry("a", List.of("1")));
  }

  @Test
  void rawUtf8IsKept() {
    assertThat(form("data=café")).containsEntry("data", List.of("café"));
  }

  @Test
  void badEscapesNameTheirField() {
    assertThatThrownBy(() -> form("topic=%ZZ")).hasMessage("malformed form field 'topic': invalid percent-escape '%ZZ'");
    assertThatThrownBy(() -> form("topic=ok&data=%4")).hasMessage("malformed form field 'data': truncated percent-escape '%4' at its end");
    assertThatThrownBy(() -> form("id=%C3")).hasMessage("malformed form field 'id': not valid UTF-8 once decoded");
    assertThatThrownBy(() -> form("to%ZZpic=a")).hasMessage("malformed form field name 'to%ZZpic': invalid percent-escape '%ZZ'");
  }

  @Test
  void tooManyFieldsAreRefused() {
    assertThatThrownBy(() -> form("a=1&".repeat(FormBody.MAX_FIELDS + 1)))
        .hasMessage("too many form fields: the limit is " + FormBody.MAX_FIELDS);
  }
}
