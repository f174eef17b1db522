/** The {@code text/event-stream} wire format: {@link dev.herald.protocol.Event}, its encoder and parser. */
module dev.herald.protocol {
  exports dev.herald.protocol;
}
