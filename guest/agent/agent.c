/* vireo-agent: the Linux guest's end of `linux exec` (docs/agent.md). Started by /init, it
 * opens the virtio-console port named "vireo.agent", says HELLO, and runs each EXEC frame's
 * command line with /bin/sh -c in a process group of its own, its stdin, stdout and stderr on
 * pipes: output goes back as STDOUT and STDERR frames, then its status as EXIT. STDIN
 * frames feed its stdin (an empty one closes it) and SIGNAL frames signal its process group.
 * The host's frames are read with the same reader the monitor uses, as untrusted. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_frame.h"

#define PORTS_DIR "/sys/class/virtio-ports"
#define FIND_TRIES 100 /* 10 s: the port's name comes from the host after the driver probes */

static int port = -1;

static void say(uint8_t type, const void *payload, uint32_t len)
{
	static uint8_t frame[AGENT_HEADER + AGENT_PAYLOAD_MAX];
	size_t n = agent_frame_write(frame, type, payload, len);
	for (size_t done = 0; done < n;) {
		ssize_t w = write(port, frame + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("vireo-agent: write to its port");
			exit(1);
		}
		done += (size_t)w;
	}
}

static void say_error(const char *what)
{
	say(AGENT_ERROR, what, (uint32_t)strlen(what));
}

/* /dev/vportNpM of the port whose name is AGENT_PORT_NAME. */
static int open_port(void)
{
	for (int tries = 0; tries < FIND_TRIES; tries++) {
		DIR *dir = opendir(PORTS_DIR);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			char path[300], name[64] = "";
			snprintf(path, sizeof(path), PORTS_DIR "/%s/name", e->d_name);
			FILE *f = fopen(path, "r");
			if (!f)
				continue;
			if (!fgets(name, sizeof(name), f))
				name[0] = '\0';
			fclose(f);
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, AGENT_PORT_NAME))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			closedir(dir);
			return open(path, O_RDWR | O_CLOEXEC);
		}
		if (dir)
			closedir(dir);
		usleep(100000);
	}
	errno = ENOENT;
	return -1;
}

struct command {
	pid_t pid;       /* 0: none running */
	int in, out, err; /* our ends of its pipes; -1 when closed */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void start(struct command *c, const uint8_t *line, uint32_t len)
{
	if (c->pid) {
		say_error("a command runs already");
		return;
	}
	char *cmd = strndup((const char *)line, len);
	int in[2], out[2], err[2];
	if (!cmd || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		say_error("no pipes for the command");
		int32_t status = 127;
		say(AGENT_EXIT, &status, 4);
		free(cmd);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0); /* its own process group, for SIGNAL */
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		/* /init started the agent in the background, with SIGINT and SIGQUIT ignored
		 * (POSIX 2.11): the command gets them back, so that Ctrl-C ends it. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* Set on both sides, so that a SIGNAL right after the EXEC finds the group. */
	if (pid > 0)
		setpgid(pid, pid);
	free(cmd);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	c->in = in[1];
	c->out = out[0];
	c->err = err[0];
	fcntl(c->in, F_SETFL, O_NONBLOCK); /* a command not reading its stdin cannot stall us */
	if (pid < 0) {
		close_fd(&c->in);
		close_fd(&c->out);
		close_fd(&c->err);
		say_error("cannot fork");
		int32_t status = 127;
		say(AGENT_EXIT, &status, 4);
		return;
	}
	c->pid = pid;
}

static void frame_from_host(struct command *c, const struct agent_frame *f)
{
	switch (f->type) {
	case AGENT_EXEC:
		start(c, f->payload, f->len);
		break;
	case AGENT_STDIN:
		if (c->in < 0)
			break;
		if (f->len == 0)
			close_fd(&c->in);
		else if (write(c->in, f->payload, f->len) != (ssize_t)f->len)
			say_error("the command's stdin is full: input dropped");
		break;
	case AGENT_SIGNAL: {
		int32_t sig;
		memcpy(&sig, f->payload, 4);
		if (c->pid && sig > 0 && sig < NSIG)
			kill(-c->pid, sig);
		break;
	}
	}
}

/* Output of the command, one read's worth, as frames of type. */
static void forward(int *fd, uint8_t type)
{
	uint8_t buf[AGENT_PAYLOAD_MAX];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0)
		close_fd(fd);
	else
		say(type, buf, (uint32_t)n);
}

/* Once its output has ended: its exit status, as a shell gives it. */
static void reap(struct command *c)
{
	int st;
	if (!c->pid || c->out >= 0 || c->err >= 0)
		return;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	int32_t status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	close_fd(&c->in);
	c->pid = 0;
	say(AGENT_EXIT, &status, 4);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	port = open_port();
	if (port < 0) {
		perror("vireo-agent: no port " AGENT_PORT_NAME);
		return 1;
	}
	struct agent_reader rd;
	agent_reader_init(&rd, false);
	struct command c = { .pid = 0, .in = -1, .out = -1, .err = -1 };
	say(AGENT_HELLO, NULL, 0);
	for (;;) {
		struct pollfd p[3] = { { port, POLLIN, 0 }, { c.out, POLLIN, 0 }, { c.err, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vireo-agent: poll");
			return 1;
		}
		if (p[1].revents)
			forward(&c.out, AGENT_STDOUT);
		if (p[2].revents)
			forward(&c.err, AGENT_STDERR);
		reap(&c);
		if (!p[0].revents)
			continue;
		uint8_t buf[1024];
		ssize_t n = read(port, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* The host closed its side: wait for it to open again. */
			usleep(100000);
			continue;
		}
		for (size_t at = 0; at < (size_t)n;) {
			struct agent_frame f;
			const char *why;
			size_t used;
			int got = agent_read(&rd, buf + at, (size_t)n - at, &used, &f, &why);
			if (got < 0) {
				fprintf(stderr, "vireo-agent: from the host: %s\n", why);
				return 1;
			}
			at += used;
			if (got > 0)
				frame_from_host(&c, &f);
		}
	}
}
