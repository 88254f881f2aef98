/*
 * cstub: the upstream stub's fixed answers served from C, for the points where the
 * stub shares a CPU with the gateway (the two-worker run): it costs a few
 * microseconds per request where upstream_stub.py costs about 25.
 *
 * It knows nothing of Odoo. upstream_stub.py --write-rules FILE writes its answers
 * as rules: the first rule whose method and path equal the request's and whose
 * needles all occur in the request body gives the reply, and is counted under its
 * name. GET /_stats returns the counts as JSON, POST /_stats/reset clears them.
 *
 *   cc -O2 -o cstub benchmarks/cstub.c
 *   ./cstub PORT RULES [--close]        prints "READY <port>" once listening
 *
 * Rules file, repeated:  "RULE <name>\n" "METHOD <m>\n" "PATH <p>\n"
 *   ("NEEDLE <text>\n")*  "BODY <n>\n" <n bytes> "\n"
 *
 * HTTP/1.1 with Content-Length request bodies only; loopback benchmarks only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 64
#define MAX_NEEDLES 4
#define MAX_REQUEST (1 << 20)

struct rule {
    char name[256];
    char method[16];
    char path[256];
    char *needles[MAX_NEEDLES];
    int n_needles;
    char *reply[2]; /* full HTTP reply: [0] keep-alive, [1] close */
    size_t reply_len[2];
    unsigned long count;
};

struct conn {
    int fd;
    char *buf;
    size_t len, cap;
};

static struct rule rules[MAX_RULES];
static int n_rules;
static unsigned long unmatched;
static int close_always;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static char *build_reply(int status, const char *body, size_t len, int close, size_t *out) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
                     status, status == 200 ? "OK" : "NOT FOUND", len,
                     close ? "close" : "keep-alive");
    char *r = malloc(n + len);
    if (!r) die("malloc");
    memcpy(r, head, n);
    memcpy(r + n, body, len);
    *out = n + len;
    return r;
}

static char *line_value(FILE *f, const char *key) {
    static char line[4096];
    if (!fgets(line, sizeof line, f)) return NULL;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0 || line[k] != ' ') {
        fprintf(stderr, "rules: expected %s, got %s", key, line);
        exit(1);
    }
    line[strcspn(line, "\n")] = 0;
    return line + k + 1;
}

static void load_rules(const char *file) {
    FILE *f = fopen(file, "rb");
    if (!f) die(file);
    char *v;
    while ((v = line_value(f, "RULE")) != NULL) {
        if (n_rules == MAX_RULES) { fprintf(stderr, "too many rules\n"); exit(1); }
        struct rule *r = &rules[n_rules++];
        snprintf(r->name, sizeof r->name, "%s", v);
        snprintf(r->method, sizeof r->method, "%s", line_value(f, "METHOD"));
        snprintf(r->path, sizeof r->path, "%s", line_value(f, "PATH"));
        for (;;) {
            char line[4096];
            long at = ftell(f);
            if (!fgets(line, sizeof line, f)) { fprintf(stderr, "rules: cut short\n"); exit(1); }
            line[strcspn(line, "\n")] = 0;
            if (strncmp(line, "NEEDLE ", 7) == 0) {
                if (r->n_needles == MAX_NEEDLES) { fprintf(stderr, "too many needles\n"); exit(1); }
                r->needles[r->n_needles++] = strdup(line + 7);
                continue;
            }
            fseek(f, at, SEEK_SET);
            break;
        }
        size_t len = strtoul(line_value(f, "BODY"), NULL, 10);
        char *body = malloc(len + 1);
        if (!body || fread(body, 1, len, f) != len) die("rules body");
        fgetc(f); /* the newline after the body */
        for (int c = 0; c < 2; c++) r->reply[c] = build_reply(200, body, len, c, &r->reply_len[c]);
        free(body);
    }
    fclose(f);
}

static void write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n > 0) { data += n; len -= n; continue; }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, 1000);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return; /* the peer went away */
    }
}

static void send_dynamic(int fd, int status, const char *body, int close) {
    size_t len;
    char *r = build_reply(status, body, strlen(body), close, &len);
    write_all(fd, r, len);
    free(r);
}

static void send_stats(int fd, int close) {
    size_t cap = 256 + (size_t)n_rules * 300, used = 0;
    char *out = malloc(cap);
    if (!out) die("malloc");
    used += snprintf(out + used, cap - used, "{");
    for (int i = 0; i < n_rules; i++)
        used += snprintf(out + used, cap - used, "%s\"%s\":%lu", i ? "," : "", rules[i].name,
                         rules[i].count);
    used += snprintf(out + used, cap - used, "%s\"unmatched\":%lu}", n_rules ? "," : "", unmatched);
    send_dynamic(fd, 200, out, close);
    free(out);
}

/* Answers every whole request in the buffer; returns 0 when the connection must close. */
static int serve(struct conn *c) {
    for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return c->len < MAX_REQUEST;
        size_t head_len = end - c->buf + 4;
        size_t body_len = 0;
        char *cl = NULL;
        for (char *p = c->buf; p < end; p++) {
            if (p[0] == '\n' && strncasecmp(p + 1, "content-length:", 15) == 0) { cl = p + 16; break; }
        }
        if (cl) body_len = strtoul(cl, NULL, 10);
        if (body_len > MAX_REQUEST) return 0;
        if (c->len < head_len + body_len) return 1;
        char *sp1 = memchr(c->buf, ' ', head_len);
        char *sp2 = sp1 ? memchr(sp1 + 1, ' ', end - sp1 - 1) : NULL;
        if (!sp1 || !sp2) return 0;
        size_t mlen = sp1 - c->buf, plen = sp2 - sp1 - 1;
        char *q = memchr(sp1 + 1, '?', plen);
        if (q) plen = q - sp1 - 1;
        char *body = c->buf + head_len;
        int close = close_always || memmem(c->buf, head_len, "Connection: close", 17) != NULL;
        struct rule *hit = NULL;
        if (mlen == 3 && plen == 7 && memcmp(sp1 + 1, "/_stats", 7) == 0) {
            send_stats(c->fd, close);
        } else if (mlen == 4 && plen == 13 && memcmp(sp1 + 1, "/_stats/reset", 13) == 0) {
            for (int i = 0; i < n_rules; i++) rules[i].count = 0;
            unmatched = 0;
            send_dynamic(c->fd, 200, "{}", close);
        } else {
            for (int i = 0; i < n_rules && !hit; i++) {
                struct rule *r = &rules[i];
                if (strlen(r->method) != mlen || memcmp(r->method, c->buf, mlen) != 0) continue;
                if (strlen(r->path) != plen || memcmp(r->path, sp1 + 1, plen) != 0) continue;
                int all = 1;
                for (int k = 0; k < r->n_needles && all; k++)
                    all = memmem(body, body_len, r->needles[k], strlen(r->needles[k])) != NULL;
                if (all) hit = r;
            }
            if (hit) {
                hit->count++;
                write_all(c->fd, hit->reply[close], hit->reply_len[close]);
            } else {
                unmatched++;
                send_dynamic(c->fd, 404, "{\"error\": \"no rule\"}", close);
            }
        }
        memmove(c->buf, c->buf + head_len + body_len, c->len - head_len - body_len);
        c->len -= head_len + body_len;
        if (close) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cstub PORT RULES [--close]\n"); return 2; }
    close_always = argc > 3 && strcmp(argv[3], "--close") == 0;
    load_rules(argv[2]);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(ls, 1024) < 0) die("listen");
    socklen_t alen = sizeof addr;
    getsockname(ls, (struct sockaddr *)&addr, &alen);
    printf("READY %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        if (n < 0 && errno == EINTR) continue;
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = calloc(1, sizeof *nc);
                    if (!nc) die("calloc");
                    nc->fd = fd;
                    nc->cap = 65536;
                    nc->buf = malloc(nc->cap);
                    if (!nc->buf) die("malloc");
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            int keep = 1;
            for (;;) {
                if (c->len == c->cap) {
                    if (c->cap >= MAX_REQUEST) { keep = 0; break; }
                    c->cap *= 2;
                    c->buf = realloc(c->buf, c->cap);
                    if (!c->buf) die("realloc");
                }
                ssize_t got = read(c->fd, c->buf + c->len, c->cap - c->len);
                if (got > 0) { c->len += got; continue; }
                if (got < 0 && errno == EAGAIN) break;
                if (got < 0 && errno == EINTR) continue;
                keep = 0; /* end of stream or error */
                break;
            }
            if (keep || c->len) keep = serve(c) && keep;
            if (!keep) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                free(c->buf);
                free(c);
            }
        }
    }
}
