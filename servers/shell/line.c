#include "line.h"

#include <string.h>

#include "events.h"
#include "vireo.h"

#define HISTORY 16
#define CTRL(c) ((c) & 0x1f)

static char history[HISTORY][LINE_MAX];
static unsigned history_count; /* lines ever added; the last HISTORY are kept */

static char pending[LINE_KEYS];
static size_t pending_pos, pending_len;

#define NEWS (-1) /* no key: news was printed over the line being typed */

static int next_char(void)
{
	if (pending_pos == pending_len) {
		pending_len = wait_for_keys(pending, sizeof(pending));
		pending_pos = 0;
		if (pending_len == 0)
			return NEWS;
	}
	return (unsigned char)pending[pending_pos++];
}

static void erase(size_t n)
{
	for (size_t i = 0; i < n; i++)
		puts_raw("\b \b", 3);
}

static void replace_line(char *buf, size_t *len, const char *with)
{
	erase(*len);
	*len = strlen(with);
	memcpy(buf, with, *len);
	puts_raw(buf, *len);
}

static void remember(const char *line)
{
	if (!line[0])
		return;
	if (history_count && !strcmp(history[(history_count - 1) % HISTORY], line))
		return;
	strcpy(history[history_count++ % HISTORY], line);
}

bool line_read(const char *prompt, char *buf)
{
	size_t len = 0;
	unsigned back = 0; /* how far up the history we are; 0 is the line being typed */
	char typed[LINE_MAX] = "";
	bool too_long = false; /* keys came that did not fit */

	printf("%s", prompt);
	console_flush();
	for (;;) {
		int c = next_char();
		if (c == NEWS) { /* show the line again below it */
			printf("%s", prompt);
			puts_raw(buf, len);
		} else if (c == '\r' || c == '\n') {
			puts_raw("\n", 1);
			if (too_long) {
				printf("shell: line longer than %d characters; not run\n",
				       LINE_MAX - 1);
				return false;
			}
			buf[len] = '\0';
			remember(buf);
			return true;
		}
		if (c == CTRL('C')) {
			puts_raw("^C\n", 3);
			return false;
		}
		if (c == CTRL('U')) {
			erase(len);
			len = 0;
			too_long = false;
		} else if (c == 0x7f || c == '\b') {
			if (len > 0) {
				len--;
				erase(1);
			}
		} else if (c == 0x1b) { /* ESC [ A (up) and ESC [ B (down); other keys ignored */
			if (next_char() != '[')
				continue;
			int key = next_char();
			unsigned kept = history_count < HISTORY ? history_count : HISTORY;
			if (key == 'A' && back < kept) {
				if (back == 0) {
					memcpy(typed, buf, len);
					typed[len] = '\0';
				}
				back++;
				replace_line(buf, &len, history[(history_count - back) % HISTORY]);
			} else if (key == 'B' && back > 0) {
				back--;
				replace_line(buf, &len,
					     back ? history[(history_count - back) % HISTORY] : typed);
			}
		} else if (c >= ' ' && c < 0x7f && len + 1 < LINE_MAX) {
			buf[len++] = (char)c;
			puts_raw(&buf[len - 1], 1);
		} else if (c >= ' ' && c < 0x7f) {
			too_long = true;
		}
		/* Echo what was typed ahead (a pasted line) in one write, not a write a key. */
		if (pending_pos == pending_len)
			console_flush();
	}
}

size_t line_take_typeahead(char *buf, size_t len)
{
	size_t n = 0;
	while (n < len && pending_pos < pending_len)
		buf[n++] = pending[pending_pos++];
	return n;
}

void line_put_back(const char *keys, size_t n)
{
	size_t left = pending_len - pending_pos;
	if (n > sizeof(pending) - left)
		n = sizeof(pending) - left;
	memmove(pending + n, pending + pending_pos, left);
	memcpy(pending, keys, n);
	pending_pos = 0;
	pending_len = n + left;
}
