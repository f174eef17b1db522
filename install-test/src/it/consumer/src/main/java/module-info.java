/** An application on the module path: it reads Herald's exported API packages, nothing else. */
module com.example.consumer {
  requires dev.herald.server;
  requires dev.herald.sqlite;
  requires dev.herald.redis;
  requires dev.herald.client;

  exports com.example.consumer;
}
