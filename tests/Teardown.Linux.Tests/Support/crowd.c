/* A process that accepts every connection to IPV4:PORT and never closes one: a CLOSE_WAIT leak
 * of any size for the release tests. Prints its listening port; the test counts the accepted
 * sockets with sock_diag. Raises its soft descriptor limit to the hard one first (20,000 here).
 * Usage: crowd IPV4 PORT (0 = any port). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    struct rlimit limit;
    int one = 1, l;

    if (argc != 3) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    l = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4096) != 0
        || getsockname(l, (struct sockaddr *)&a, &len) != 0) {
        printf("%d\n", -errno);
        return 1;
    }
    printf("%d\n", ntohs(a.sin_port));
    for (;;) {
        if (accept(l, NULL, NULL) < 0 && errno != EINTR && errno != ECONNABORTED) {
            printf("%d\n", -errno);
            pause();
        }
    }
}
