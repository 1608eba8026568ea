/* A model of the output pump's reading, for choosing how the pump waits (bench/README.md, issue 14 item 3): a child
   writes "line 1\n" .. "line N\n" into a 1 MiB pipe, one write() per line, and the parent reads it into
   ./pipe_readers.log in one of five ways; it prints the wall time, the writer's and the reader's CPU time and the
   reader's rounds.
     epoll     the pipe in an epoll set (level-triggered); after two small reads in a row, a 1 ms pause per round
     epolldel  the same, but the pipe leaves the set while it streams in small pieces and is read every 1 ms (the pump)
     oneshot   EPOLLONESHOT, re-armed after each wake-up
     poll      poll() and one 128 KiB read per wake-up (supervisord's loop)
     block     blocking reads (a logger such as s6-log or svlogd)
   usage: pipe_readers MODE N   (gcc -O2 -o pipe_readers pipe_readers.c) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static char buf[256*1024];
int main(int argc,char**argv){
  const char*mode=argv[1]; long count=atol(argv[2]);
  int p[2]; pipe2(p,O_CLOEXEC); fcntl(p[0],F_SETPIPE_SZ,1<<20);
  int out=open("pipe_readers.log",O_WRONLY|O_CREAT|O_TRUNC,0644);
  double t0=now();
  pid_t pid=fork();
  if(!pid){ close(p[0]); char b[32]; for(long i=1;i<=count;i++){int n=snprintf(b,sizeof b,"line %ld\n",i); if(write(p[1],b,n)!=n) _exit(74);} struct rusage ru; getrusage(RUSAGE_SELF,&ru); fprintf(stderr,"writer cpu %.3f ",(ru.ru_utime.tv_sec+ru.ru_stime.tv_sec)+(ru.ru_utime.tv_usec+ru.ru_stime.tv_usec)/1e6); _exit(0);}
  close(p[1]); fcntl(p[0],F_SETFL,O_NONBLOCK);
  long total=0, rounds=0; int done=0;
  if(!strcmp(mode,"poll")){
    struct pollfd pf={p[0],POLLIN,0};
    while(!done){ poll(&pf,1,-1); rounds++; ssize_t g=read(p[0],buf,131072); if(g>0){write(out,buf,g);total+=g;} else if(g==0) done=1; }
  } else if(!strcmp(mode,"block")){
    fcntl(p[0],F_SETFL,0);
    while(!done){ rounds++; ssize_t g=read(p[0],buf,sizeof buf); if(g>0){write(out,buf,g);total+=g;} else done=1; }
  } else {
    int del=!strcmp(mode,"epolldel"), oneshot=!strcmp(mode,"oneshot");
    int ep=epoll_create1(0); struct epoll_event ev={.events=EPOLLIN|(oneshot?EPOLLONESHOT:0)}; epoll_ctl(ep,EPOLL_CTL_ADD,p[0],&ev);
    long before=0; int hot=0;
    while(!done){
      if(!hot){ struct epoll_event e; epoll_wait(ep,&e,1,-1); if(oneshot) epoll_ctl(ep,EPOLL_CTL_MOD,p[0],&ev);}
      rounds++;
      long r=0;
      for(;;){ ssize_t g=read(p[0],buf,sizeof buf); if(g>0){write(out,buf,g);r+=g; if(g<(ssize_t)sizeof buf && g>4096) break; continue;} if(g==0) done=1; break; }
      total+=r;
      int pause = r>0 && r<65536 && before>0 && before<65536;
      if(del){
        if(pause && !hot){ epoll_ctl(ep,EPOLL_CTL_DEL,p[0],NULL); hot=1; }
        else if(hot && r==0){ epoll_ctl(ep,EPOLL_CTL_ADD,p[0],&ev); hot=0; }
        if(hot) usleep(1000);
      } else if(pause) usleep(1000);
      before=r;
    }
  }
  int st; waitpid(pid,&st,0);
  double t1=now(); struct rusage ru; getrusage(RUSAGE_SELF,&ru);
  fprintf(stderr,"%s wall %.3f reader cpu %.3f rounds %ld bytes %ld\n",mode,t1-t0,(ru.ru_utime.tv_sec+ru.ru_stime.tv_sec)+(ru.ru_utime.tv_usec+ru.ru_stime.tv_usec)/1e6,rounds,total);
  return 0;
}
