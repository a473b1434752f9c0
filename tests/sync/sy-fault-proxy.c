/* sy-fault-proxy.c — a TCP proxy that injects faults between a sync client and the hub
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   sy-fault-proxy --listen 127.0.0.1:0 --target 127.0.0.1:PORT [--faults P] [--seed N]
 *                  [--modes drop,reset,truncate,delay,stall] [--delay-ms MS] [--stall-ms MS]
 *                  [--rate BYTES_PER_SECOND] [--latency-ms MS] [--max-offset BYTES]
 *                  [--control FILE] [--max-connections N]
 *
 * Once ready it prints one line, "listening on ADDRESS:PORT", on standard output and serves
 * until SIGTERM or SIGINT (exit status 0). Nothing else goes to standard output.
 *
 * Each accepted connection gets, with probability P (re-read from --control before every
 * connection when that file holds a number), one fault chosen uniformly among --modes:
 *
 *   drop      forwards at most a random part of the request (possibly nothing, possibly all
 *             of it), never a byte of the reply, then closes the client connection (FIN);
 *   reset     aborts both connections with RST (SO_LINGER 0) at a random byte offset of
 *             the request (at the latest when the reply starts) or of the reply;
 *   truncate  forwards the reply up to a random byte offset, then closes cleanly (FIN);
 *   delay     holds the first byte of the reply for --delay-ms;
 *   stall     at a random byte offset of the request (at the latest when the reply starts)
 *             or of the reply, forwards nothing more for --stall-ms (or until the client
 *             aborts), then closes.
 *
 * Offsets count bytes from the start of the connection in one direction, so with HTTP
 * keep-alive a fault may hit any request on the connection. They are drawn log-uniformly
 * from [0, --max-offset], so that small replies are hit as well as big downloads. A fault
 * is counted when it takes effect: one whose offset lies beyond what the connection carried
 * (a truncation beyond the end of a short reply, say) never happens and is not counted.
 *
 * --rate simulates a link of that many bytes per second in each direction, shared by all
 * connections; --latency-ms adds one-way latency to every chunk. Both apply to every
 * connection, faulty or not.
 *
 * The decisions depend only on --seed (printed on standard error when not given) and the
 * order in which connections are accepted. On SIGUSR1 and at exit one line goes to standard
 * error: "connections N faults N drop N reset N truncate N delay N stall N bytes_up N
 * bytes_down N" (bytes actually forwarded, client → target and back).
 *
 * Each connection is served by its own thread with a poll() loop over non-blocking sockets;
 * every wait has a deadline or a socket event behind it, and every queue is bounded.
 */
#define G_LOG_DOMAIN "SyFaultProxy"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <gio/gio.h>

#define BUFFER_SIZE          (64 * 1024)
#define MAX_QUEUED           (256 * 1024)            /* per direction and connection */
#define CONNECT_TIMEOUT_US   (10 * G_USEC_PER_SEC)
#define DRAIN_TIMEOUT_US     (5 * G_USEC_PER_SEC)    /* after a clean close, client's rest */
#define IDLE_TIMEOUT_US      (600 * G_USEC_PER_SEC)  /* nothing moved either way */
#define EXIT_TIMEOUT_US      (5 * G_USEC_PER_SEC)
#define LINK_AHEAD_US        (50 * 1000)             /* how far a simulated link is booked */
#define MAX_WAIT_MS          (600 * 1000)            /* bound of --delay-ms, --stall-ms... */
#define DEFAULT_MAX_OFFSET   (1024 * 1024)
#define DEFAULT_CONNECTIONS  1000

typedef enum
{
  MODE_DROP,
  MODE_RESET,
  MODE_TRUNCATE,
  MODE_DELAY,
  MODE_STALL,
  N_MODES,
  MODE_NONE = N_MODES,
} Mode;

static const char * const mode_names[N_MODES] = {
  "drop", "reset", "truncate", "delay", "stall",
};

enum { UP, DOWN };   /* client → target, target → client */

typedef enum
{
  END_CLOSE,   /* close both sockets */
  END_RESET,   /* RST on both sockets */
  END_FIN,     /* FIN to the client, then read and discard what it still sends */
} Ending;

typedef struct
{
  GSocketAddress *target;
  GRand          *rand;
  double          faults;
  char           *control;
  Mode            modes[N_MODES];
  guint           n_modes;
  gint64          delay_us;
  gint64          stall_us;
  gint64          latency_us;
  gint64          rate;
  gint64          max_offset;
  guint           max_connections;
  int             wake[2];     /* written to once at exit; every wait polls its read end */

  GMutex          lock;        /* guards what follows */
  GCond           idle;
  guint           active;
  guint64         connections;
  guint64         fired[N_MODES];
  guint64         bytes[2];
  gint64          link_free[2];  /* when the simulated link is next free, per direction */
} Proxy;

static Proxy proxy;

typedef struct
{
  gint64 release;   /* monotonic time before which the chunk must not be forwarded */
  gsize  len;
  gsize  off;
  guint8 data[];
} Chunk;

typedef struct
{
  int     src;
  int     dst;
  GQueue  chunks;
  gsize   queued;
  gint64  seen;       /* bytes taken from src */
  gint64  fault_at;   /* cut the stream after this many bytes; -1: never */
  gboolean cut;       /* fault_at reached: take nothing more */
  gboolean eof;       /* src has no more */
  gboolean shut;      /* dst's write side is shut down */
} Dir;

typedef struct
{
  GSocketConnection *client;
  GSocket           *upstream;
  Mode               mode;
  gboolean           delayed;
  Dir                dir[2];
} Conn;

static void
print_counters (void)
{
  guint64 connections, fired[N_MODES], bytes[2], faults = 0;

  g_mutex_lock (&proxy.lock);
  connections = proxy.connections;
  memcpy (fired, proxy.fired, sizeof fired);
  memcpy (bytes, proxy.bytes, sizeof bytes);
  g_mutex_unlock (&proxy.lock);
  for (guint i = 0; i < N_MODES; i++)
    faults += fired[i];
  fprintf (stderr,
           "connections %" G_GUINT64_FORMAT " faults %" G_GUINT64_FORMAT
           " drop %" G_GUINT64_FORMAT " reset %" G_GUINT64_FORMAT
           " truncate %" G_GUINT64_FORMAT " delay %" G_GUINT64_FORMAT
           " stall %" G_GUINT64_FORMAT " bytes_up %" G_GUINT64_FORMAT
           " bytes_down %" G_GUINT64_FORMAT "\n",
           connections, faults, fired[MODE_DROP], fired[MODE_RESET], fired[MODE_TRUNCATE],
           fired[MODE_DELAY], fired[MODE_STALL], bytes[UP], bytes[DOWN]);
  fflush (stderr);
}

static void
count_fault (Mode mode)
{
  g_mutex_lock (&proxy.lock);
  proxy.fired[mode]++;
  g_mutex_unlock (&proxy.lock);
}

/* Milliseconds for poll() until @deadline, rounded up so that the wait never ends early and
 * spins; -1 (forever) for no deadline. */
static int
poll_timeout (gint64 deadline,
              gint64 now)
{
  if (deadline == G_MAXINT64)
    return -1;
  if (deadline <= now)
    return 0;
  return (int) MIN ((deadline - now + 999) / 1000, G_MAXINT);
}

static void
set_linger_zero (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

static void
set_nodelay (GSocket *socket)
{
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static GSocket *
connect_target (GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;
  struct pollfd pfds[2];
  gint64 deadline;

  socket = g_socket_new (g_socket_address_get_family (proxy.target), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  if (g_socket_connect (socket, proxy.target, NULL, &local_error))
    return g_steal_pointer (&socket);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_US;
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int n;

      if (now >= deadline)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
          return NULL;
        }
      pfds[0] = (struct pollfd) { g_socket_get_fd (socket), POLLOUT, 0 };
      pfds[1] = (struct pollfd) { proxy.wake[0], POLLIN, 0 };
      n = poll (pfds, 2, poll_timeout (deadline, now));
      if (n < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s",
                       g_strerror (errno));
          return NULL;
        }
      if (n > 0 && pfds[1].revents != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "exiting");
          return NULL;
        }
      if (n > 0 && pfds[0].revents != 0)
        break;
    }
  if (!g_socket_check_connect_result (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* Takes @n bytes read from a direction's source: cuts them at the fault offset and queues
 * them with the time at which the simulated link delivers them. */
static void
dir_take (Conn         *conn,
          int           d,
          const guint8 *buf,
          gsize         n,
          gint64        now)
{
  Dir *dir = &conn->dir[d];
  Chunk *chunk;
  Chunk *tail;
  gint64 release = now;

  if (dir->fault_at >= 0 && dir->seen + (gint64) n > dir->fault_at)
    {
      n = dir->fault_at - dir->seen;
      dir->cut = TRUE;
    }
  dir->seen += n;
  if (n == 0)
    return;

  if (proxy.rate > 0)
    {
      g_mutex_lock (&proxy.lock);
      proxy.link_free[d] = MAX (proxy.link_free[d], now) +
                           (gint64) n * G_USEC_PER_SEC / proxy.rate;
      release = proxy.link_free[d];
      g_mutex_unlock (&proxy.lock);
    }
  release += proxy.latency_us;
  if (d == DOWN && conn->mode == MODE_DELAY && !conn->delayed)
    {
      conn->delayed = TRUE;
      release = MAX (release, now + proxy.delay_us);
      count_fault (MODE_DELAY);
    }
  /* a stream stays in order whatever the timing */
  tail = g_queue_peek_tail (&dir->chunks);
  if (tail != NULL)
    release = MAX (release, tail->release);

  chunk = g_malloc (sizeof (Chunk) + n);
  chunk->release = release;
  chunk->len = n;
  chunk->off = 0;
  memcpy (chunk->data, buf, n);
  g_queue_push_tail (&dir->chunks, chunk);
  dir->queued += n;
}

/* Writes the chunks that are due; FALSE on a socket error. Sets *blocked when @dst is full. */
static gboolean
dir_flush (Dir      *dir,
           int       d,
           gint64    now,
           gboolean *blocked)
{
  Chunk *chunk;

  *blocked = FALSE;
  while ((chunk = g_queue_peek_head (&dir->chunks)) != NULL && chunk->release <= now)
    {
      gssize n = send (dir->dst, chunk->data + chunk->off, chunk->len - chunk->off,
                       MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              *blocked = TRUE;
              return TRUE;
            }
          return FALSE;
        }
      g_mutex_lock (&proxy.lock);
      proxy.bytes[d] += n;
      g_mutex_unlock (&proxy.lock);
      chunk->off += n;
      dir->queued -= n;
      if (chunk->off == chunk->len)
        g_free (g_queue_pop_head (&dir->chunks));
    }
  return TRUE;
}

/* Reads what @dir's source has; FALSE on a socket error. */
static gboolean
dir_fill (Conn   *conn,
          int     d,
          gint64  now)
{
  Dir *dir = &conn->dir[d];
  guint8 buf[BUFFER_SIZE];
  gsize size = BUFFER_SIZE;
  gssize n;

  /* small chunks on a slow link, so that connections share it */
  if (proxy.rate > 0)
    size = CLAMP (proxy.rate / 20, 64, BUFFER_SIZE);
  do
    n = recv (dir->src, buf, size, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0)
    dir->eof = TRUE;
  else
    dir_take (conn, d, buf, n, now);
  return TRUE;
}

/* Stops forwarding for --stall-ms, or until the client aborts or the proxy exits. A FIN from
 * the client does not end the stall: it may only be a half-close. */
static void
stall (Conn *conn)
{
  gint64 deadline = g_get_monotonic_time () + proxy.stall_us;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfds[2] = {
        { conn->dir[UP].src, 0, 0 },   /* POLLERR, POLLHUP */
        { proxy.wake[0], POLLIN, 0 },
      };
      int n;

      if (now >= deadline)
        return;
      n = poll (pfds, 2, poll_timeout (deadline, now));
      if (n < 0 && errno != EINTR)
        return;
      if (n > 0)
        return;
    }
}

/* After a FIN to the client: reads and discards what it still sends, so that closing does
 * not turn into a RST, until it closes too (bounded). */
static void
drain_client (int fd)
{
  gint64 deadline = g_get_monotonic_time () + DRAIN_TIMEOUT_US;
  guint8 buf[BUFFER_SIZE];

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfds[2] = {
        { fd, POLLIN, 0 },
        { proxy.wake[0], POLLIN, 0 },
      };
      int n;

      if (now >= deadline)
        return;
      n = poll (pfds, 2, poll_timeout (deadline, now));
      if (n < 0 && errno != EINTR)
        return;
      if (n <= 0)
        continue;
      if (pfds[1].revents != 0)
        return;
      n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
        return;
    }
}

static void
conn_end (Conn   *conn,
          Ending  ending)
{
  GSocket *client = g_socket_connection_get_socket (conn->client);
  Chunk *chunk;

  if (conn->upstream != NULL)
    {
      if (ending == END_RESET)
        set_linger_zero (g_socket_get_fd (conn->upstream));
      g_socket_close (conn->upstream, NULL);
    }
  if (ending == END_RESET)
    set_linger_zero (g_socket_get_fd (client));
  else if (ending == END_FIN)
    {
      shutdown (g_socket_get_fd (client), SHUT_WR);
      drain_client (g_socket_get_fd (client));
    }
  g_socket_close (client, NULL);

  for (int d = UP; d <= DOWN; d++)
    while ((chunk = g_queue_pop_head (&conn->dir[d].chunks)) != NULL)
      g_free (chunk);
}

/* Whether the simulated link of direction @d can take more now; if not, when it can. */
static gboolean
link_ready (int     d,
            gint64  now,
            gint64 *when)
{
  gint64 ready;

  if (proxy.rate <= 0)
    return TRUE;
  g_mutex_lock (&proxy.lock);
  ready = proxy.link_free[d] - LINK_AHEAD_US;
  g_mutex_unlock (&proxy.lock);
  if (ready <= now)
    return TRUE;
  *when = MIN (*when, ready);
  return FALSE;
}

/* Forwards both ways until both sides are done, a fault ends the connection, an error
 * happens or the proxy exits. */
static Ending
forward (Conn *conn)
{
  int cfd = conn->dir[UP].src;
  int ufd = conn->dir[DOWN].src;
  gint64 last_activity = g_get_monotonic_time ();

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake_at = last_activity + IDLE_TIMEOUT_US;
      gboolean want_in[2] = { FALSE, FALSE };
      gboolean want_out[2] = { FALSE, FALSE };
      struct pollfd pfds[3];
      int n;

      if (now >= wake_at)
        return END_CLOSE;

      for (int d = UP; d <= DOWN; d++)
        {
          Dir *dir = &conn->dir[d];
          gboolean blocked;

          if (!dir_flush (dir, d, now, &blocked))
            return END_RESET;
          if (dir->cut && g_queue_is_empty (&dir->chunks))
            {
              count_fault (conn->mode);
              switch (conn->mode)
                {
                case MODE_DROP:
                case MODE_TRUNCATE:
                  return END_FIN;
                case MODE_RESET:
                  return END_RESET;
                case MODE_STALL:
                  stall (conn);
                  return END_CLOSE;
                case MODE_DELAY:
                case MODE_NONE:
                default:
                  g_assert_not_reached ();
                }
            }
          if (dir->eof && g_queue_is_empty (&dir->chunks) && !dir->shut)
            {
              shutdown (dir->dst, SHUT_WR);
              dir->shut = TRUE;
            }

          want_out[d] = blocked;
          if (!blocked && !g_queue_is_empty (&dir->chunks))
            wake_at = MIN (wake_at, ((Chunk *) g_queue_peek_head (&dir->chunks))->release);
          want_in[d] = !dir->eof && !dir->cut && dir->queued < MAX_QUEUED &&
                       link_ready (d, now, &wake_at);
        }
      if (conn->dir[UP].shut && conn->dir[DOWN].shut)
        return END_CLOSE;

      /* an fd with nothing wanted stays out: its HUP or ERR would wake the loop for nothing */
      pfds[0].fd = cfd;
      pfds[0].events = (want_in[UP] ? POLLIN : 0) | (want_out[DOWN] ? POLLOUT : 0);
      pfds[1].fd = ufd;
      pfds[1].events = (want_in[DOWN] ? POLLIN : 0) | (want_out[UP] ? POLLOUT : 0);
      pfds[2].fd = proxy.wake[0];
      pfds[2].events = POLLIN;
      for (int i = 0; i < 2; i++)
        {
          if (pfds[i].events == 0)
            pfds[i].fd = -1;
          pfds[i].revents = 0;
        }
      pfds[2].revents = 0;

      n = poll (pfds, 3, poll_timeout (wake_at, now));
      if (n < 0 && errno != EINTR)
        return END_RESET;
      if (n <= 0)
        continue;
      if (pfds[2].revents != 0)
        return END_CLOSE;

      now = g_get_monotonic_time ();
      last_activity = now;
      if (want_in[UP] && pfds[0].revents != 0 && !dir_fill (conn, UP, now))
        return END_RESET;
      if (want_in[DOWN] && pfds[1].revents != 0 && !dir_fill (conn, DOWN, now))
        return END_RESET;
      /* writable sockets are written to at the top of the loop */
    }
}

static gpointer
conn_thread (gpointer data)
{
  Conn *conn = data;
  g_autoptr(GError) error = NULL;
  GSocket *client = g_socket_connection_get_socket (conn->client);

  conn->upstream = connect_target (&error);
  if (conn->upstream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("sy-fault-proxy: cannot connect to the target: %s\n", error->message);
      conn_end (conn, END_RESET);
    }
  else
    {
      set_nodelay (client);
      set_nodelay (conn->upstream);
      conn->dir[UP].src = conn->dir[DOWN].dst = g_socket_get_fd (client);
      conn->dir[DOWN].src = conn->dir[UP].dst = g_socket_get_fd (conn->upstream);
      conn_end (conn, forward (conn));
    }

  g_clear_object (&conn->upstream);
  g_clear_object (&conn->client);
  g_free (conn);

  g_mutex_lock (&proxy.lock);
  proxy.active--;
  g_cond_broadcast (&proxy.idle);
  g_mutex_unlock (&proxy.lock);
  return NULL;
}

static void
read_control (void)
{
  g_autofree char *text = NULL;
  char *end;
  double value;

  if (proxy.control == NULL || !g_file_get_contents (proxy.control, &text, NULL, NULL))
    return;  /* a test may create it later; until then the last value holds */
  g_strstrip (text);
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(value >= 0.0 && value <= 1.0))
    {
      g_printerr ("sy-fault-proxy: %s should hold a number from 0 to 1, not “%s”\n",
                  proxy.control, text);
      return;
    }
  proxy.faults = value;
}

/* Log-uniform in [0, max_offset]: first a number of bits, then a value below 2^bits. */
static gint64
draw_offset (double r_bits,
             double r_value)
{
  guint max_bits = g_bit_storage (proxy.max_offset);
  guint bits = MIN ((guint) (r_bits * (max_bits + 1)), max_bits);
  gint64 span = MIN ((gint64) 1 << bits, proxy.max_offset + 1);

  return MIN ((gint64) (r_value * span), proxy.max_offset);
}

static void
decide (Conn *conn)
{
  /* always the same draws per connection, so that the sequence does not depend on them */
  double r_fault = g_rand_double (proxy.rand);
  double r_mode = g_rand_double (proxy.rand);
  double r_where = g_rand_double (proxy.rand);
  double r_bits = g_rand_double (proxy.rand);
  double r_value = g_rand_double (proxy.rand);
  gint64 offset = draw_offset (r_bits, r_value);
  int d = r_where < 0.5 ? UP : DOWN;

  conn->dir[UP].fault_at = conn->dir[DOWN].fault_at = -1;
  conn->mode = MODE_NONE;
  if (r_fault >= proxy.faults || proxy.n_modes == 0)
    return;
  conn->mode = proxy.modes[MIN ((guint) (r_mode * proxy.n_modes), proxy.n_modes - 1)];
  switch (conn->mode)
    {
    case MODE_DROP:
      /* a third of the drops forward nothing at all */
      conn->dir[UP].fault_at = r_where < 1.0 / 3 ? 0 : offset;
      conn->dir[DOWN].fault_at = 0;
      break;
    case MODE_RESET:
    case MODE_STALL:
      conn->dir[d].fault_at = offset;
      /* a request shorter than the offset is hit between its end and the reply */
      if (d == UP)
        conn->dir[DOWN].fault_at = 0;
      break;
    case MODE_TRUNCATE:
      conn->dir[DOWN].fault_at = offset;
      break;
    case MODE_DELAY:
      break;
    case MODE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  g_autoptr(GError) error = NULL;
  Conn *conn = g_new0 (Conn, 1);
  GThread *thread;

  read_control ();
  decide (conn);

  g_mutex_lock (&proxy.lock);
  if (proxy.active >= proxy.max_connections)
    {
      g_mutex_unlock (&proxy.lock);
      g_printerr ("sy-fault-proxy: %u connections already, refusing one more\n",
                  proxy.max_connections);
      g_socket_close (g_socket_connection_get_socket (connection), NULL);
      g_free (conn);
      return TRUE;
    }
  proxy.active++;
  proxy.connections++;
  g_mutex_unlock (&proxy.lock);

  conn->client = g_object_ref (connection);
  thread = g_thread_try_new ("connection", conn_thread, conn, &error);
  if (thread == NULL)
    {
      g_printerr ("sy-fault-proxy: cannot start a thread: %s\n", error->message);
      g_socket_close (g_socket_connection_get_socket (connection), NULL);
      g_object_unref (conn->client);
      g_free (conn);
      g_mutex_lock (&proxy.lock);
      proxy.active--;
      g_mutex_unlock (&proxy.lock);
      return TRUE;
    }
  g_thread_unref (thread);
  return TRUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
usr1_cb (gpointer user_data)
{
  print_counters ();
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_modes (const char  *text,
             GError     **error)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);

  proxy.n_modes = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      guint m;

      if (*name == '\0')
        continue;
      for (m = 0; m < N_MODES && !g_str_equal (name, mode_names[m]); m++)
        ;
      if (m == N_MODES)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--modes: unknown mode “%s” (known: drop, reset, truncate, delay, "
                       "stall)", name);
          return FALSE;
        }
      for (guint j = 0; j < proxy.n_modes; j++)
        if (proxy.modes[j] == (Mode) m)
          m = N_MODES;
      if (m != N_MODES)
        proxy.modes[proxy.n_modes++] = m;
    }
  if (proxy.n_modes == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--modes: name at least one mode");
      return FALSE;
    }
  return TRUE;
}

/* "HOST:PORT" with a numeric host (IPv6 in brackets) for --listen; a name is fine for
 * --target. */
static GSocketAddress *
parse_address (const char  *option,
               const char  *text,
               gboolean     numeric,
               GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  GSocketAddress *result;

  connectable = g_network_address_parse (text, 0, &local_error);
  if (connectable == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: %s", option, text,
                   local_error->message);
      return NULL;
    }
  if (numeric)
    {
      GNetworkAddress *network = G_NETWORK_ADDRESS (connectable);

      address = g_inet_address_new_from_string (g_network_address_get_hostname (network));
      if (address == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s %s: give a numeric address such as 127.0.0.1:0", option, text);
          return NULL;
        }
      return g_inet_socket_address_new (address, g_network_address_get_port (network));
    }
  enumerator = g_socket_connectable_enumerate (connectable);
  result = g_socket_address_enumerator_next (enumerator, NULL, &local_error);
  if (result == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: %s", option, text,
                 local_error != NULL ? local_error->message : "no address");
  return result;
}

/* Raises the soft limit on descriptors as far as allowed; returns how many connections (two
 * descriptors each) fit under it. Running out would make GSocketService retry accept() in a
 * tight loop, so the proxy refuses connections before that. */
static guint
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 256;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        getrlimit (RLIMIT_NOFILE, &limit);
    }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > 1000000)
    return 500000;
  return limit.rlim_cur > 128 ? (limit.rlim_cur - 64) / 2 : 32;
}

static gboolean
in_range (const char  *option,
          gint64       value,
          gint64       max,
          GError     **error)
{
  if (value >= 0 && value <= max)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s must be from 0 to %" G_GINT64_FORMAT, option, max);
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *listen_text = NULL;
  g_autofree char *target_text = NULL;
  g_autofree char *modes_text = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) listen_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *host = NULL;
  gint64 seed = -1;
  gint64 delay_ms = 200;
  gint64 stall_ms = 30000;
  gint64 latency_ms = 0;
  gint64 rate = 0;
  gint64 max_offset = DEFAULT_MAX_OFFSET;
  gint64 max_connections = DEFAULT_CONNECTIONS;
  double faults = 0.0;
  GInetAddress *inet;
  gint64 deadline;
  gboolean drained;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen_text,
      "Address to listen on (default 127.0.0.1:0)", "HOST:PORT" },
    { "target", 0, 0, G_OPTION_ARG_STRING, &target_text, "Where to forward to", "HOST:PORT" },
    { "faults", 0, 0, G_OPTION_ARG_DOUBLE, &faults,
      "Probability that a connection gets a fault (default 0)", "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the decisions (default random)", "N" },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &modes_text,
      "Faults to choose from (default drop,reset,truncate,delay,stall)", "LIST" },
    { "delay-ms", 0, 0, G_OPTION_ARG_INT64, &delay_ms,
      "Delay before the first byte of the reply (default 200)", "MS" },
    { "stall-ms", 0, 0, G_OPTION_ARG_INT64, &stall_ms,
      "How long a stall lasts before the proxy closes (default 30000)", "MS" },
    { "rate", 0, 0, G_OPTION_ARG_INT64, &rate,
      "Throughput of the simulated link each way (default unlimited)", "BYTES_PER_SECOND" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT64, &latency_ms,
      "One-way latency added to every chunk (default 0)", "MS" },
    { "max-offset", 0, 0, G_OPTION_ARG_INT64, &max_offset,
      "Largest byte offset at which a fault hits (default 1048576)", "BYTES" },
    { "control", 0, 0, G_OPTION_ARG_FILENAME, &proxy.control,
      "File holding the fault probability, read before each connection", "FILE" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT64, &max_connections,
      "Connections served at once; more are refused (default 1000)", "N" },
    { NULL }
  };

  context = g_option_context_new ("— forward TCP connections and inject faults");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (target_text == NULL)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--target HOST:PORT is required");
      goto fail;
    }
  if (!(faults >= 0.0 && faults <= 1.0))
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--faults must be from 0 to 1");
      goto fail;
    }
  if (!in_range ("--delay-ms", delay_ms, MAX_WAIT_MS, &error) ||
      !in_range ("--stall-ms", stall_ms, MAX_WAIT_MS, &error) ||
      !in_range ("--latency-ms", latency_ms, MAX_WAIT_MS, &error) ||
      !in_range ("--rate", rate, G_MAXINT32, &error) ||
      !in_range ("--max-offset", max_offset, G_MAXINT32, &error) ||
      !in_range ("--max-connections", max_connections, 100000, &error) ||
      !parse_modes (modes_text != NULL ? modes_text : "drop,reset,truncate,delay,stall", &error))
    goto fail;
  listen_address = parse_address ("--listen", listen_text != NULL ? listen_text : "127.0.0.1:0",
                                  TRUE, &error);
  if (listen_address == NULL)
    goto fail;
  proxy.target = parse_address ("--target", target_text, FALSE, &error);
  if (proxy.target == NULL)
    goto fail;
  if (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (proxy.target)) == 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--target %s: give a port, as in 127.0.0.1:8080", target_text);
      goto fail;
    }

  proxy.faults = faults;
  proxy.delay_us = delay_ms * 1000;
  proxy.stall_us = stall_ms * 1000;
  proxy.latency_us = latency_ms * 1000;
  proxy.rate = rate;
  proxy.max_offset = max_offset;
  proxy.max_connections = MIN ((guint) max_connections, raise_fd_limit ());
  if (seed < 0)
    {
      seed = g_random_int ();
      g_printerr ("sy-fault-proxy: seed %" G_GINT64_FORMAT "\n", seed);
    }
  proxy.rand = g_rand_new_with_seed ((guint32) seed);
  g_mutex_init (&proxy.lock);
  g_cond_init (&proxy.idle);
  if (!g_unix_open_pipe (proxy.wake, FD_CLOEXEC, &error))
    goto fail;

  signal (SIGPIPE, SIG_IGN);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGUSR1, usr1_cb, NULL);

  service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 512);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), listen_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    goto fail;
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), NULL);
  g_socket_service_start (service);

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (effective));
  host = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    printf ("listening on [%s]:%u\n", host,
            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  else
    printf ("listening on %s:%u\n", host,
            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);

  g_main_loop_run (loop);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  if (write (proxy.wake[1], "q", 1) != 1)
    g_printerr ("sy-fault-proxy: cannot wake the connections up: %s\n", g_strerror (errno));

  deadline = g_get_monotonic_time () + EXIT_TIMEOUT_US;
  g_mutex_lock (&proxy.lock);
  while (proxy.active > 0 && g_cond_wait_until (&proxy.idle, &proxy.lock, deadline))
    ;
  drained = proxy.active == 0;
  g_mutex_unlock (&proxy.lock);
  if (!drained)
    g_printerr ("sy-fault-proxy: some connections did not end in time\n");

  print_counters ();
  if (drained)
    {
      g_clear_object (&proxy.target);
      g_clear_pointer (&proxy.rand, g_rand_free);
      g_clear_pointer (&proxy.control, g_free);
    }
  return 0;

fail:
  g_printerr ("sy-fault-proxy: %s\n", error->message);
  return 2;
}
