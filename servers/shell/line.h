/* Reading a command line with editing: backspace, Ctrl-U (erase the line), Ctrl-C (abandon
 * it), and history with the up and down arrows. */
#ifndef SHELL_LINE_H
#define SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>

/* A line as long as the longest paste one console message brings. */
#define LINE_MAX 4096
#define LINE_KEYS 64 /* keys read from the console at a time */

/* Reads one line into buf after printing prompt; false when the line was abandoned, or was
 * too long (it says so). */
bool line_read(const char *prompt, char *buf);
/* Hands over keys read ahead of the end of the last line (typed before a command took the
 * keyboard); returns how many. */
size_t line_take_typeahead(char *buf, size_t len);
/* Gives keys back (up to LINE_KEYS), to be read before any others. */
void line_put_back(const char *keys, size_t n);

#endif
