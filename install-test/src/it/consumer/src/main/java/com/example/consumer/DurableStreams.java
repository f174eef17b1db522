package com.example.consumer;

import dev.herald.server.HeraldServer;
import dev.herald.sqlite.SqliteEventLog;
import java.io.IOException;
import java.nio.file.Path;

/** A server whose history survives restarts: Herald embedded with the SQLite log. */
public final class DurableStreams {
  private DurableStreams() {}

  /** Starts a server on a free loopback port, keeping its history in {@code dataDir}. */
  public static HeraldServer start(Path dataDir) throws IOException {
    return HeraldServer.builder()
        .bindAddress("127.0.0.1")
        .port(0)
        .eventLog(SqliteEventLog.open(dataDir))
        .build()
        .start();
  }
}
