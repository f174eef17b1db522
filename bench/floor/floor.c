/*
 * floor.c - "the floor" for bench/compare-nchan.sh: a minimal Server-Sent Events
 * broadcast server, the least any server can spend per delivery. Benchmarks only.
 *
 * One thread, one epoll loop, non-blocking sockets, TCP_NODELAY on every connection,
 * and one write per connection per loop turn: while a turn's batch of epoll events is
 * processed, output is only appended to per-connection buffers (and the connection is
 * put on a dirty list once); after the batch every dirty connection gets one send() of
 * its whole pending buffer. A partial write keeps the rest and waits for EPOLLOUT.
 *
 * It speaks the protocol of bench/nchan/nginx.conf's /pub and /sub, so the load tool's
 * --preset nchan drives it unchanged:
 *   GET  /sub/<channel>   200 text/event-stream, raw body until close, one frame
 *                         "id: <n>\ndata: <body>\n\n" per publish (n = 1, 2, 3... per channel)
 *   POST /pub/<channel>   body (Content-Length, one line) is the event data;
 *                         200 with Content-Length: 0, keep-alive, pipelining allowed
 *   anything else         404, keep-alive
 * <channel> is [A-Za-z0-9_]+. No store, no history, no auth, no timeouts, no Last-Event-ID.
 * A subscriber with more than 4 MiB unsent is closed (slow consumer).
 *
 * Build: gcc -O2 -Wall -Wextra -std=gnu11 -o /tmp/floor bench/floor/floor.c
 * Run:   /tmp/floor PORT        (listens on 127.0.0.1:PORT)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PENDING ((size_t)4 << 20) /* unsent output over this: slow consumer, closed */
#define MAX_REQUEST ((size_t)1 << 20) /* a request (head + body) over this: closed */
#define READ_CHUNK 65536
#define MAX_EVENTS 1024

typedef struct chan chan;
typedef struct conn conn;

struct chan {
  char *name;
  size_t name_len;
  uint64_t last_id;
  conn *subs; /* doubly linked through conn.sprev / conn.snext */
  chan *next;
};

struct conn {
  int fd;
  int dead, dirty, want_out;
  chan *ch;                  /* non-NULL: a subscriber of ch */
  conn *sprev, *snext;       /* ch's subscriber list */
  conn *next_dirty, *next_dead;
  char *in;                  /* unparsed request bytes */
  size_t in_len, in_cap;
  char *out;                 /* pending output: out[out_off..out_len) */
  size_t out_off, out_len, out_cap;
};

static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n";
static const char PUB_OK[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char BAD_REQUEST[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
static const char NOT_FOUND[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static int ep;
static chan *chans;
static conn *dirty_list, *dead_list;
static char *frame;
static size_t frame_cap;

static void die(const char *what) { perror(what); exit(1); }

static void *xrealloc(void *p, size_t n) {
  if (!(p = realloc(p, n))) die("realloc");
  return p;
}

static chan *get_chan(const char *name, size_t len) {
  for (chan *c = chans; c; c = c->next)
    if (c->name_len == len && memcmp(c->name, name, len) == 0) return c;
  chan *c = calloc(1, sizeof *c);
  if (!c || !(c->name = strndup(name, len))) die("calloc");
  c->name_len = len;
  c->next = chans;
  return chans = c;
}

static void mark_dirty(conn *c) {
  if (c->dirty || c->dead) return;
  c->dirty = 1;
  c->next_dirty = dirty_list;
  dirty_list = c;
}

/* Closes c at once (nothing more reaches it); its memory is freed at the end of the turn. */
static void kill_conn(conn *c) {
  if (c->dead) return;
  c->dead = 1;
  close(c->fd);
  if (c->ch) {
    if (c->sprev) c->sprev->snext = c->snext; else c->ch->subs = c->snext;
    if (c->snext) c->snext->sprev = c->sprev;
    c->ch = NULL;
  }
  c->next_dead = dead_list;
  dead_list = c;
}

/* Appends to c's pending output; 0 if c was closed instead (over MAX_PENDING). */
static int append(conn *c, const char *p, size_t n) {
  if (c->out_len - c->out_off + n > MAX_PENDING) { kill_conn(c); return 0; }
  if (c->out_len + n > c->out_cap && c->out_off) { /* compact before growing */
    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
  }
  if (c->out_len + n > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + n) cap *= 2;
    c->out = xrealloc(c->out, cap);
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, p, n);
  c->out_len += n;
  if (!c->want_out) mark_dirty(c); /* else EPOLLOUT marks it */
  return 1;
}

static void set_want_out(conn *c, int on) {
  if (c->want_out == on) return;
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) { kill_conn(c); return; }
  c->want_out = on;
}

/* The one write of this turn: the whole pending buffer. */
static void flush_conn(conn *c) {
  size_t pending = c->out_len - c->out_off;
  if (pending) {
    ssize_t n = send(c->fd, c->out + c->out_off, pending, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { kill_conn(c); return; }
      n = 0;
    }
    c->out_off += (size_t)n;
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
  }
  set_want_out(c, c->out_len > 0);
}

static void publish(chan *ch, const char *data, size_t n) {
  if (n + 64 > frame_cap) frame = xrealloc(frame, frame_cap = n + 64);
  int h = snprintf(frame, frame_cap, "id: %llu\ndata: ", (unsigned long long)++ch->last_id);
  memcpy(frame + h, data, n);
  memcpy(frame + h + n, "\n\n", 2);
  for (conn *s = ch->subs, *next; s; s = next) {
    next = s->snext; /* append may close s, unlinking it */
    append(s, frame, (size_t)h + n + 2);
  }
}

/* If path[0..n) is prefix + [A-Za-z0-9_]+ (+ optional ?query): the channel's length, else 0. */
static size_t channel_of(const char *path, size_t n, const char *prefix, const char **name) {
  size_t p = strlen(prefix), i = p;
  if (n <= p || memcmp(path, prefix, p) != 0) return 0;
  while (i < n && (isalnum((unsigned char)path[i]) || path[i] == '_')) i++;
  if (i == p || (i < n && path[i] != '?')) return 0;
  *name = path + p;
  return i - p;
}

/* Content-Length of a request head that ends with \r\n\r\n; 0 if absent. */
static size_t content_length(const char *head, size_t n) {
  for (const char *l = head, *end = head + n; l < end;) {
    const char *nl = memchr(l, '\n', (size_t)(end - l));
    if (!nl) break;
    if (nl - l > 15 && strncasecmp(l, "Content-Length:", 15) == 0)
      return (size_t)strtoull(l + 15, NULL, 10); /* stops at the \r */
    l = nl + 1;
  }
  return 0;
}

static void handle(conn *c, const char *req, size_t head_len, const char *body, size_t body_len) {
  const char *eol = memchr(req, '\r', head_len); /* the head ends with \r\n\r\n: found */
  const char *sp = memchr(req, ' ', (size_t)(eol - req)), *path, *pe, *name;
  if (!sp) { append(c, BAD_REQUEST, sizeof BAD_REQUEST - 1); return; }
  path = sp + 1;
  if (!(pe = memchr(path, ' ', (size_t)(eol - path)))) pe = eol;
  size_t mlen = (size_t)(sp - req), plen = (size_t)(pe - path), nlen;
  if (mlen == 3 && memcmp(req, "GET", 3) == 0 && (nlen = channel_of(path, plen, "/sub/", &name))) {
    chan *ch = get_chan(name, nlen);
    if (!append(c, SSE_HEAD, sizeof SSE_HEAD - 1)) return;
    c->ch = ch;
    c->sprev = NULL;
    c->snext = ch->subs;
    if (ch->subs) ch->subs->sprev = c;
    ch->subs = c;
  } else if (mlen == 4 && memcmp(req, "POST", 4) == 0 && (nlen = channel_of(path, plen, "/pub/", &name))) {
    if (memchr(body, '\r', body_len) || memchr(body, '\n', body_len)) {
      append(c, BAD_REQUEST, sizeof BAD_REQUEST - 1);
      return;
    }
    publish(get_chan(name, nlen), body, body_len);
    append(c, PUB_OK, sizeof PUB_OK - 1);
  } else {
    append(c, NOT_FOUND, sizeof NOT_FOUND - 1);
  }
}

/* Handles every complete request in c->in (pipelining), keeps an incomplete rest. */
static void serve(conn *c) {
  size_t off = 0;
  while (!c->dead && !c->ch) {
    char *req = c->in + off;
    size_t avail = c->in_len - off;
    char *end = memmem(req, avail, "\r\n\r\n", 4);
    if (!end) break;
    size_t head_len = (size_t)(end + 4 - req), body_len = content_length(req, head_len);
    if (body_len > MAX_REQUEST) { kill_conn(c); return; }
    if (avail < head_len + body_len) break;
    off += head_len + body_len;
    handle(c, req, head_len, req + head_len, body_len);
  }
  if (c->dead) return;
  if (c->ch) { c->in_len = 0; return; } /* a subscriber: further input is ignored */
  memmove(c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
  if (c->in_len > MAX_REQUEST + 65536) kill_conn(c);
}

static void on_read(conn *c) {
  char junk[4096], *buf = junk;
  size_t room = sizeof junk;
  if (!c->ch) { /* a request reader; a subscriber's input goes to junk, read only to see EOF */
    if (c->in_cap - c->in_len < READ_CHUNK) c->in = xrealloc(c->in, c->in_cap = c->in_len + 2 * READ_CHUNK);
    buf = c->in + c->in_len;
    room = c->in_cap - c->in_len;
  }
  ssize_t n = read(c->fd, buf, room);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) { kill_conn(c); return; }
  if (n < 0 || c->ch) return;
  c->in_len += (size_t)n;
  serve(c);
}

static void on_accept(int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept4");
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn *c = calloc(1, sizeof *c);
    if (!c) die("calloc");
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) { perror("epoll_ctl"); close(fd); free(c); }
  }
}

int main(int argc, char **argv) {
  int port = argc == 2 ? atoi(argv[1]) : 0;
  if (port <= 0 || port > 65535) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
  if (lfd < 0) die("socket");
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(lfd, 4096) < 0) die("listen");
  if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl");
  fprintf(stderr, "floor: listening on 127.0.0.1:%d\n", port);

  struct epoll_event evs[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) { /* the turn: only append and mark dirty */
      conn *c = evs[i].data.ptr;
      if (!c) { on_accept(lfd); continue; }
      if (c->dead) continue; /* closed earlier in this turn */
      uint32_t e = evs[i].events;
      if (e & (EPOLLERR | EPOLLHUP)) { kill_conn(c); continue; }
      if (e & EPOLLIN) on_read(c);
      if ((e & EPOLLOUT) && !c->dead) mark_dirty(c);
    }
    while (dirty_list) { /* then one write per dirty connection */
      conn *c = dirty_list;
      dirty_list = c->next_dirty;
      c->dirty = 0;
      if (!c->dead) flush_conn(c);
    }
    while (dead_list) {
      conn *c = dead_list;
      dead_list = c->next_dead;
      free(c->in);
      free(c->out);
      free(c);
    }
  }
}
