/* The shell's commands, one table of names, help texts and handlers. */
#ifndef SHELL_COMMANDS_H
#define SHELL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vireo.h"

void run_command(int argc, char **argv);
/* vm.c */
void cmd_vm(int argc, char **argv);
void cmd_hvstat(int argc, char **argv);
void cmd_linux(int argc, char **argv);
/* The monitor's arguments for `linux ARGS` (argv[0] is "linux"); their length. */
size_t linux_args(char *args, size_t size, int argc, char **argv);
/* For exec.c: whether the monitor is there (says so if not), and a request to it. */
bool vm_monitor(void);
struct msg vm_request(uint64_t info, uint64_t w0, uint64_t w1);

/* exec.c: linux exec CMD..., vm exec ID CMD... (argv: the words of CMD) */
void exec_in_linux(int argc, char **argv);
void exec_in_vm(uint64_t id, int argc, char **argv);

/* disk.c */
void cmd_disk(int argc, char **argv);

/* share.c */
bool share_path(const char *path);
void share_ls(const char *path);
void share_cat(const char *path);
bool share_echo(int argc, char **argv); /* false: no redirection, a plain echo */
void cmd_mkdir(int argc, char **argv);
void cmd_rm(int argc, char **argv);
void cmd_mv(int argc, char **argv);
void cmd_cp(int argc, char **argv);
void cmd_df(int argc, char **argv);

#endif
