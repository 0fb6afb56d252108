/* The shell's commands, one table of names, help texts and handlers. */
#ifndef SHELL_COMMANDS_H
#define SHELL_COMMANDS_H

void run_command(int argc, char **argv);
/* vm.c */
void cmd_vm(int argc, char **argv);
void cmd_hvstat(int argc, char **argv);
void cmd_linux(int argc, char **argv);

/* disk.c */
void cmd_disk(int argc, char **argv);

#endif
