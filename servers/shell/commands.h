/* The shell's commands, one table of names, help texts and handlers. */
#ifndef SHELL_COMMANDS_H
#define SHELL_COMMANDS_H

#include <stdbool.h>

void run_command(int argc, char **argv);
/* vm.c */
void cmd_vm(int argc, char **argv);
void cmd_hvstat(int argc, char **argv);
void cmd_linux(int argc, char **argv);

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
