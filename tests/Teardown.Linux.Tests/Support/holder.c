/* A process that holds one TCP socket for the release/kill tests, driven by one-line commands on
 * stdin, one answer line each (a count, 0, or -errno). Usage: holder IPV4 PORT (connects).
 * Commands: read, write, shutwr, close, pipe, dup, sock, exit. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long rc(long n) { return n < 0 ? -errno : n; }

int main(int argc, char **argv)
{
    static char buf[1 << 16];
    char line[64];
    struct sockaddr_in a;
    int fd;

    if (argc != 3) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        printf("%d\n", -errno);
        return 1;
    }
    printf("%d\n", fd);
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "read", 4))
            printf("%ld\n", rc(recv(fd, buf, sizeof buf, MSG_DONTWAIT)));
        else if (!strncmp(line, "write", 5))
            printf("%ld\n", rc(send(fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL)));
        else if (!strncmp(line, "shutwr", 6))
            printf("%ld\n", rc(shutdown(fd, SHUT_WR)));
        else if (!strncmp(line, "close", 5))
            printf("%ld\n", rc(close(fd)));
        else if (!strncmp(line, "pipe", 4)) {
            int p[2];
            /* the lowest free numbers: after "close", p[0] takes the socket's old number */
            printf("%ld\n", rc(pipe(p)) < 0 ? (long)-errno : (long)p[0]);
        } else if (!strncmp(line, "dup", 3)) {
            /* keeps the socket open under another number, so "close" + "pipe"/"sock" can reuse
             * the original number while the socket itself lives on */
            printf("%ld\n", rc(dup(fd)));
        } else if (!strncmp(line, "sock", 4)) {
            /* a new socket connected to the same server, in the lowest free number */
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
                printf("%d\n", -errno);
            else
                printf("%d\n", s);
        } else if (!strncmp(line, "exit", 4))
            return 0;
        else
            printf("%d\n", -EINVAL);
    }
    return 0;
}
