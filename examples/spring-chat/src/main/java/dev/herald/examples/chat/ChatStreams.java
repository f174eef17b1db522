package dev.herald.examples.chat;

import dev.herald.spring.HeraldStream;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The reply stream's endpoint, beside the starter's {@code /events}. */
@Configuration(proxyBeanMethods = false)
class ChatStreams {
  @Bean
  HeraldStream replyStream(ChatReplies replies) {
    return new HeraldStream("/api/send", replies);
  }
}
