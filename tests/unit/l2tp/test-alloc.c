// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Issue 3's performance rule: parsing and dispatching a control message
 * allocates nothing on the hot path beyond the message itself.
 *
 * The LAC talks to the mini LNS through fixed arrays (no allocation in the
 * harness). malloc/calloc/realloc/free of the LAC's code are wrapped at link
 * time (-Wl,--wrap, see meson.build) and counted only inside
 * l2tp_lac_input(). A whole connection with hidden AVPs, tunnel
 * authentication both ways, SLI/WEN, HELLO and the LNS's CDN must allocate
 * nothing there (replies go into the engine's message ring, allocated once
 * with the first message: SCCRQ, outside input); a message that arrives
 * ahead of a gap costs exactly one allocation, its own copy.
 */
#include "check.h"
#include "l2tp.h"
#include "mini-lns.h"

#include <arpa/inet.h>
#include <stdlib.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

static bool counting;
static unsigned allocations, frees;

void *__wrap_malloc(size_t size)
{
	allocations += counting;
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	allocations += counting;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	allocations += counting;
	return __real_realloc(p, size);
}

void __wrap_free(void *p)
{
	frees += counting && p;
	__real_free(p);
}

#define MAX_DGRAMS 32

struct dgram {
	uint8_t data[1500];
	size_t len;
};

struct queue {
	struct dgram d[MAX_DGRAMS];
	unsigned n;
};

struct link {
	struct l2tp_lac *lac;
	struct mini_lns lns;
	struct queue to_lac, to_lns;
	uint64_t now;
	struct sockaddr_in lns_addr;
	unsigned input_allocations, inputs;
	bool session_up, finished;
};

static void push(struct queue *q, const uint8_t *data, size_t len)
{
	if (q->n < MAX_DGRAMS && len <= sizeof(q->d[0].data)) {
		memcpy(q->d[q->n].data, data, len);
		q->d[q->n++].len = len;
	}
}

static void lac_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	(void)to, (void)tolen;
	push(&((struct link *)ctx)->to_lns, data, len);
}

static void lns_send(void *ctx, const uint8_t *data, size_t len)
{
	push(&((struct link *)ctx)->to_lac, data, len);
}

static void lac_event(void *ctx, const struct l2tp_event *ev)
{
	struct link *l = ctx;
	if (ev->type == L2TP_EVENT_SESSION_READY)
		l2tp_lac_session_confirm(l->lac, l->now);
	l->session_up |= ev->type == L2TP_EVENT_SESSION_UP;
	l->finished |= ev->type == L2TP_EVENT_FINISHED;
}

static void lac_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

/* One datagram to the LAC, allocations counted. */
static unsigned input_counted(struct link *l, const struct dgram *d)
{
	unsigned before = allocations;
	counting = true;
	l2tp_lac_input(l->lac, l->now, d->data, d->len, (const struct sockaddr *)&l->lns_addr,
		       sizeof(l->lns_addr));
	counting = false;
	l->inputs++;
	return allocations - before;
}

/* Delivers everything queued both ways, then runs due timers, until quiet or `until`. */
static void run(struct link *l, uint64_t until)
{
	while (l->now <= until && !l->finished) {
		if (l->to_lns.n || l->to_lac.n) {
			struct queue q = l->to_lns;
			l->to_lns.n = 0;
			for (unsigned i = 0; i < q.n; i++)
				mini_lns_input(&l->lns, l->now, q.d[i].data, q.d[i].len);
			q = l->to_lac;
			l->to_lac.n = 0;
			for (unsigned i = 0; i < q.n; i++)
				l->input_allocations += input_counted(l, &q.d[i]);
			continue;
		}
		uint64_t d = l2tp_lac_deadline(l->lac), dl = mini_lns_deadline(&l->lns);
		d = d < dl ? d : dl;
		if (d > until)
			break;
		l->now = d > l->now ? d : l->now;
		l2tp_lac_timeout(l->lac, l->now);
		mini_lns_timeout(&l->lns, l->now);
	}
}

static void link_init(struct link *l, const struct mini_lns_script *script)
{
	memset(l, 0, sizeof(*l));
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.secret = (const uint8_t *)"alloc-secret";
	cfg.secret_len = strlen("alloc-secret");
	cfg.hide_avps = true;
	cfg.hello_interval_ms = 5000;
	struct l2tp_lac_ops ops = {.send = lac_send, .event = lac_event, .random = lac_random};
	char err[128];
	l->lac = l2tp_lac_new(&cfg, &ops, l, err, sizeof(err));
	mini_lns_init(&l->lns, script, lns_send, l);
	l->lns_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(1701),
					   .sin_addr.s_addr = htonl(0x7f000001)};
	l2tp_lac_start(l->lac, 0, (const struct sockaddr *)&l->lns_addr, sizeof(l->lns_addr));
}

static void link_free(struct link *l)
{
	l2tp_lac_free(l->lac);
	mini_lns_free(&l->lns);
}

static void test_whole_connection_allocates_nothing(void)
{
	struct link l;
	struct mini_lns_script script = {.secret = "alloc-secret",
					 .challenge_lac = true,
					 .sli_wen_after_iccn = true,
					 .hello_after_iccn = true};
	link_init(&l, &script);
	run(&l, 20000); /* HELLOs from our side too (5 s) */
	CHECK(l.session_up);
	CHECK(l.inputs >= 8); /* SCCRP, ICRP, ZLB, SLI, WEN, HELLO, ACKs of our HELLOs */
	CHECK(l.lns.hidden[L2TP_MSG_ICCN] != 0 && l.lns.hidden[L2TP_MSG_SCCCN] != 0);
	CHECK_INT(l.input_allocations, 0);
	link_free(&l);

	/* The LNS clears the call: CDN in, our StopCCN out, its ACK in. */
	link_init(&l, &(struct mini_lns_script){.secret = "alloc-secret", .challenge_lac = true,
						.cdn_after_iccn = true});
	run(&l, 60000);
	CHECK(l.session_up && l.finished);
	CHECK_INT(l.lns.received[L2TP_MSG_STOPCCN], 1);
	CHECK_INT(l.input_allocations, 0);
	link_free(&l);
}

static void test_out_of_order_costs_its_own_copy(void)
{
	struct link l;
	link_init(&l, &(struct mini_lns_script){.secret = "alloc-secret", .sli_wen_after_iccn = true});
	/* Up to the LNS's answer to ICCN: SLI and WEN in one burst. */
	while (!(l.lns.received[L2TP_MSG_ICCN] && l.to_lac.n >= 2) && l.now < 10000) {
		struct queue q = l.to_lns;
		l.to_lns.n = 0;
		for (unsigned i = 0; i < q.n; i++)
			mini_lns_input(&l.lns, l.now, q.d[i].data, q.d[i].len);
		if (l.lns.received[L2TP_MSG_ICCN] && l.to_lac.n >= 2)
			break;
		q = l.to_lac;
		l.to_lac.n = 0;
		for (unsigned i = 0; i < q.n; i++)
			l.input_allocations += input_counted(&l, &q.d[i]);
	}
	CHECK_INT(l.input_allocations, 0);
	CHECK(l.to_lac.n >= 2);
	if (l.to_lac.n >= 2) {
		struct dgram sli = l.to_lac.d[0], wen = l.to_lac.d[1];
		l.to_lac.n = 0;
		frees = 0;
		CHECK_INT(input_counted(&l, &wen), 1); /* ahead of the gap: its copy */
		CHECK_INT(input_counted(&l, &sli), 0); /* fills the gap; WEN is handed out and freed */
		CHECK_INT(frees, 1);
	}
	link_free(&l);
}

/* l2tp_lac_reset() keeps the message ring: the next connection's SCCRQ allocates nothing, even after a
 * finished connection (finishing drops the queues, not the ring). */
static void test_reset_keeps_the_ring(void)
{
	struct link l;
	link_init(&l, &(struct mini_lns_script){
			  .secret = "alloc-secret", .challenge_lac = true, .cdn_after_iccn = true});
	run(&l, 60000);
	CHECK(l.finished);
	struct l2tp_lac *lac = l.lac;
	mini_lns_free(&l.lns);
	link_init(&l, &(struct mini_lns_script){.secret = "alloc-secret", .challenge_lac = true});
	l2tp_lac_free(l.lac); /* link_init()'s own LAC: the finished one is reused instead */
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.secret = (const uint8_t *)"alloc-secret";
	cfg.secret_len = strlen("alloc-secret");
	struct l2tp_lac_ops ops = {.send = lac_send, .event = lac_event, .random = lac_random};
	char err[128];
	l.to_lns.n = 0;
	unsigned before = allocations, freed = frees;
	counting = true;
	CHECK(l2tp_lac_reset(lac, &cfg, &ops, &l, err, sizeof(err)));
	CHECK(l2tp_lac_start(lac, 0, (const struct sockaddr *)&l.lns_addr, sizeof(l.lns_addr)));
	counting = false;
	CHECK_INT(allocations - before, 0);
	CHECK_INT(frees - freed, 0);
	CHECK_INT(l.to_lns.n, 1); /* SCCRQ */
	l.lac = lac;
	run(&l, 20000);
	CHECK(l.session_up);
	link_free(&l);
}

int main(void)
{
	RUN(test_whole_connection_allocates_nothing);
	RUN(test_out_of_order_costs_its_own_copy);
	RUN(test_reset_keeps_the_ring);
	return check_summary();
}
