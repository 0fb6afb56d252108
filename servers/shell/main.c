/* Vireo's shell: reads a line, splits it into words, runs the command. */
#include <string.h>

#include "commands.h"
#include "line.h"
#include "vireo.h"

#define MAX_ARGS 16

/* The words of line; -1 when there are more than MAX_ARGS. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

int main(void)
{
	if (console_open() < 0) {
		printf("shell: no console\n");
		return 1;
	}
	printf("\nVireo shell. Type 'help' for the commands.\n");
	for (;;) {
		char line[LINE_MAX], *argv[MAX_ARGS];
		if (!line_read("vireo> ", line))
			continue;
		int argc = split(line, argv);
		if (argc < 0)
			printf("shell: more than %d words; not run\n", MAX_ARGS);
		else if (argc > 0)
			run_command(argc, argv);
		console_flush();
	}
}
