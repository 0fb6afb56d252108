/* Reading a command line with editing: backspace, Ctrl-U (erase the line), Ctrl-C (abandon
 * it), and history with the up and down arrows. */
#ifndef SHELL_LINE_H
#define SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX 256

/* Reads one line into buf after printing prompt; false when the line was abandoned. */
bool line_read(const char *prompt, char *buf);
/* Hands over keys read ahead of the end of the last line (typed before a command took the
 * keyboard); returns how many. */
size_t line_take_typeahead(char *buf, size_t len);

#endif
