/* sy-sync-monitor.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decides when this PC syncs: as soon as a network appears, then every
 * `sync-interval-minutes` while it stays, and whenever someone presses Sync Now. Never two
 * runs at once: a request made while one runs (or while a course downloads from the
 * catalog) is remembered and served after it. A failed run is retried after a minute,
 * then two, four… up to the interval, with jitter, so that the PCs of a clinic that lost
 * the hub together do not all come back at the same second.
 *
 * The engine does the work on its own thread; everything here runs on the main thread
 * and only looks at the state, so the indicator, Preferences and the catalog page read
 * it from the properties.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-sync-monitor.h"

#define DEFAULT_INTERVAL_MINUTES 15
#define FIRST_RETRY_SECONDS      60
#define STARTUP_DELAY_SECONDS    5

struct _SySyncMonitor
{
  GObject          parent_instance;

  SyStore         *store;
  GSettings       *settings;
  GNetworkMonitor *network_monitor;
  GCancellable    *cancellable;          /* everything; cancelled on dispose */
  GCancellable    *run_cancellable;      /* the run */

  SySyncState      state;
  double           fraction;
  char            *phase_text;
  guint            waiting;
  guint            quarantined;
  GDateTime       *last_synced;
  GError          *last_error;           /* the last run of this session, if it failed */
  char            *last_error_text;      /* what the store says the last run's error was */
  SySyncAccount   *account;

  guint            timeout_id;
  guint            next_delay;           /* seconds, of the run scheduled */
  guint            n_failures;
  guint            hold_count;

  guint            started : 1;
  guint            account_known : 1;
  guint            running : 1;
  guint            pending : 1;
  guint            pending_manual : 1;
  guint            network_available : 1;
  guint            metered : 1;
  guint            reachable : 1;        /* a run worked since the network last went */
  guint            status_loading : 1;
  guint            status_again : 1;
};

G_DEFINE_FINAL_TYPE (SySyncMonitor, sy_sync_monitor, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SySyncState, sy_sync_state,
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_NOT_SET_UP, "not-set-up"),
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (SY_SYNC_STATE_ERROR, "error"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_NETWORK_MONITOR,
  PROP_STATE,
  PROP_BUSY,
  PROP_FRACTION,
  PROP_PHASE_TEXT,
  PROP_WAITING,
  PROP_QUARANTINED,
  PROP_LAST_SYNCED,
  PROP_LAST_ERROR_TEXT,
  PROP_ENROLLED,
  PROP_METERED,
  PROP_NETWORK_AVAILABLE,
  N_PROPS
};

enum {
  SIGNAL_SYNC_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_run (SySyncMonitor *self,
                       gboolean       manual);

/* ---- words ---- */

/**
 * sy_sync_describe_error:
 *
 * Returns: (transfer full): what went wrong, in words for the person at the PC: what it
 *   means for their records and what to do
 */
char *
sy_sync_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Stopped before it was finished. Nothing was lost."));

  if (error->domain != SY_SYNC_ERROR)
    /* Translators: %s is a technical message */
    return g_strdup_printf (_("Something went wrong. Your records are safe on this PC. (%s)"),
                            error->message);

  switch ((SySyncError) error->code)
    {
    case SY_SYNC_ERROR_NOT_ENROLLED:
      return g_strdup (_("This PC is not connected to a hub yet. Ask your coordinator for the hub address and an enrolment code, and enter them in Preferences."));
    case SY_SYNC_ERROR_ADDRESS:
      return g_strdup (_("This hub address is not right. It looks like http://192.168.1.10:8080 — check it with your coordinator."));
    case SY_SYNC_ERROR_NETWORK:
      return g_strdup (_("The hub cannot be reached. Your records are safe on this PC and will be sent when the network is back."));
    case SY_SYNC_ERROR_TLS:
      return g_strdup (_("The hub could not prove it is the real hub, so nothing was sent. Your records are safe on this PC. Ask your coordinator to check the hub."));
    case SY_SYNC_ERROR_CODE:
      return g_strdup (_("This enrolment code is not right, or it was already used or is too old. Check the code, or ask your coordinator for a new one."));
    case SY_SYNC_ERROR_AUTH:
      return g_strdup (_("The hub no longer accepts this PC. Your records are safe here. Ask your coordinator for a new enrolment code and enrol this PC again."));
    case SY_SYNC_ERROR_SERVER:
      return g_strdup (_("The hub has a problem and could not take the records this time. Your records are safe on this PC; it will try again later."));
    case SY_SYNC_ERROR_PROTOCOL:
      return g_strdup (_("This address does not lead to a Shuyuan hub. Check the hub address with your coordinator."));
    case SY_SYNC_ERROR_PACKAGE:
      return g_strdup (_("A course arrived damaged and was not installed. It will be downloaded again next time."));
    case SY_SYNC_ERROR_BUSY:
      return g_strdup (_("This PC is already syncing. Wait a moment and try again."));
    default:
      break;
    }

  return g_strdup_printf (_("Something went wrong. Your records are safe on this PC. (%s)"),
                          error->message);
}

/**
 * sy_sync_describe_progress:
 *
 * Returns: (transfer full): where a run is: "Sending records (120 of 500)…"
 */
char *
sy_sync_describe_progress (const SySyncProgress *progress)
{
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;

  g_return_val_if_fail (progress != NULL, NULL);

  switch (progress->phase)
    {
    case SY_SYNC_PHASE_REGISTER:
      return g_strdup (_("Introducing new learners to the hub…"));

    case SY_SYNC_PHASE_PUSH:
      if (progress->total == 0)
        return g_strdup (_("Sending records…"));
      /* Translators: records sent so far, and in all */
      return g_strdup_printf (_("Sending records (%u of %u)…"),
                              (guint) MIN (progress->done, G_MAXUINT),
                              (guint) MIN (progress->total, G_MAXUINT));

    case SY_SYNC_PHASE_PULL:
      if (progress->done == 0)
        return g_strdup (_("Receiving records…"));
      /* Translators: how many records came so far */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Receiving records (%u so far)…",
                                           "Receiving records (%u so far)…",
                                           (gulong) progress->done),
                              (guint) MIN (progress->done, G_MAXUINT));

    case SY_SYNC_PHASE_CATALOG:
      return g_strdup (_("Looking for new courses…"));

    case SY_SYNC_PHASE_DOWNLOAD:
      done = g_format_size (progress->done);
      if (progress->total > 0)
        {
          total = g_format_size (progress->total);
          if (progress->item != NULL)
            /* Translators: a course title, then sizes: “Hand washing” (1.2 MB of 5.0 MB) */
            return g_strdup_printf (_("Downloading “%s” (%s of %s)…"), progress->item, done, total);
          /* Translators: sizes: 1.2 MB of 5.0 MB */
          return g_strdup_printf (_("Downloading a course (%s of %s)…"), done, total);
        }
      if (progress->item != NULL)
        return g_strdup_printf (_("Downloading “%s” (%s)…"), progress->item, done);
      return g_strdup_printf (_("Downloading a course (%s)…"), done);

    case SY_SYNC_PHASE_IMPORT:
      if (progress->item != NULL)
        /* Translators: %s is a course title */
        return g_strdup_printf (_("Installing “%s”…"), progress->item);
      return g_strdup (_("Installing a course…"));

    case SY_SYNC_PHASE_IDLE:
    default:
      return g_strdup (_("Connecting to the hub…"));
    }
}

/**
 * sy_sync_format_last_synced:
 * @when: (nullable): when the last sync worked
 *
 * Returns: (transfer full): "Synced 5 minutes ago", "Never synced"…
 */
char *
sy_sync_format_last_synced (GDateTime *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan span;
  gint64 n;

  if (when == NULL)
    return g_strdup (_("Never synced"));

  span = g_date_time_difference (now, when);
  if (span < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Synced just now"));
  if (span < G_TIME_SPAN_HOUR)
    {
      n = span / G_TIME_SPAN_MINUTE;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d minute ago",
                                           "Synced %d minutes ago", n), (int) n);
    }
  if (span < G_TIME_SPAN_DAY)
    {
      n = span / G_TIME_SPAN_HOUR;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d hour ago",
                                           "Synced %d hours ago", n), (int) n);
    }
  n = span / G_TIME_SPAN_DAY;
  if (n == 1)
    return g_strdup (_("Synced yesterday"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d day ago",
                                       "Synced %d days ago", n), (int) MIN (n, G_MAXINT));
}

/* ---- state ---- */

static void
update_state (SySyncMonitor *self)
{
  SySyncState state;

  if (!self->started || !self->account_known)
    state = SY_SYNC_STATE_UNKNOWN;
  else if (self->running)
    state = SY_SYNC_STATE_SYNCING;
  else if (self->account == NULL)
    state = SY_SYNC_STATE_NOT_SET_UP;
  else if (!self->network_available && !self->reachable)
    state = SY_SYNC_STATE_OFFLINE;
  else if (self->last_error != NULL || self->last_error_text != NULL)
    state = SY_SYNC_STATE_ERROR;
  else
    state = SY_SYNC_STATE_IDLE;

  if (state != self->state)
    {
      g_debug ("Sync state: %d → %d", self->state, state);
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
set_phase (SySyncMonitor *self,
           double         fraction,
           const char    *text)
{
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (g_strcmp0 (text, self->phase_text) != 0)
    {
      g_free (self->phase_text);
      self->phase_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE_TEXT]);
    }
}

static guint
get_interval_seconds (SySyncMonitor *self)
{
  int minutes = DEFAULT_INTERVAL_MINUTES;

  if (self->settings != NULL)
    minutes = g_settings_get_int (self->settings, "sync-interval-minutes");
  return CLAMP (minutes, 1, 1440) * 60;
}

/* ---- scheduling ---- */

static gboolean
timeout_cb (gpointer user_data)
{
  SySyncMonitor *self = user_data;

  self->timeout_id = 0;
  self->next_delay = 0;
  start_run (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
schedule (SySyncMonitor *self,
          guint          seconds)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->next_delay = 0;
  if (!self->started || self->account == NULL)
    return;

  self->next_delay = MAX (seconds, 1);
  g_debug ("Next sync in %u s", self->next_delay);
  self->timeout_id = g_timeout_add_seconds (self->next_delay, timeout_cb, self);
}

/* One minute after the first failure, doubling up to the interval; "equal jitter": half
 * the delay, plus up to as much again at random. */
static guint
backoff_seconds (SySyncMonitor *self)
{
  guint interval = get_interval_seconds (self);
  guint64 delay = FIRST_RETRY_SECONDS;

  for (guint i = 1; i < self->n_failures && delay < interval; i++)
    delay *= 2;
  delay = MIN (delay, interval);
  return (guint) (delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1));
}

static void
schedule_next (SySyncMonitor *self)
{
  schedule (self, self->n_failures > 0 ? backoff_seconds (self) : get_interval_seconds (self));
}

/* ---- status ---- */

static void
read_account (SySyncMonitor *self)
{
  g_autoptr(SySyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gboolean was_enrolled = self->account != NULL;
  gboolean first = !self->account_known;
  gboolean url_changed;

  account = sy_sync_get_account (self->store, &error);
  /* An unreadable account file is no account: enrolling again writes a good one. */
  if (account == NULL && error != NULL)
    g_debug ("Cannot read this PC’s sync account: %s", error->message);

  url_changed = (account == NULL) != (self->account == NULL) ||
                (account != NULL && g_strcmp0 (account->url, self->account->url) != 0);
  g_clear_pointer (&self->account, sy_sync_account_free);
  self->account = g_steal_pointer (&account);
  self->account_known = TRUE;

  if (!url_changed)
    return;

  /* Another hub, or none: what went wrong with the last one no longer matters. */
  g_clear_error (&self->last_error);
  self->n_failures = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);

  if (self->account == NULL)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      self->next_delay = 0;
      g_cancellable_cancel (self->run_cancellable);
    }
  else if (self->started && !first)
    {
      /* Just enrolled: the records waiting go now. */
      g_debug ("Enrolled with %s%s", self->account->url, was_enrolled ? " (another hub)" : "");
      start_run (self, FALSE);
    }
}

static void
get_status_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SySyncMonitor) self = user_data;
  g_autoptr(SySyncStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  status = sy_sync_get_status_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  self->status_loading = FALSE;

  if (status == NULL)
    {
      g_debug ("Cannot read the sync status: %s", error->message);
    }
  else
    {
      g_object_freeze_notify (G_OBJECT (self));

      if (status->waiting != self->waiting)
        {
          self->waiting = status->waiting;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
        }
      if (status->quarantined != self->quarantined)
        {
          self->quarantined = status->quarantined;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUARANTINED]);
        }
      if (status->last_synced != NULL)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (status->last_synced, NULL);

          if (when != NULL &&
              (self->last_synced == NULL || g_date_time_compare (when, self->last_synced) != 0))
            {
              g_clear_pointer (&self->last_synced, g_date_time_unref);
              self->last_synced = g_steal_pointer (&when);
              g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
            }
        }
      if (g_strcmp0 (status->last_error, self->last_error_text) != 0)
        {
          g_free (self->last_error_text);
          self->last_error_text = g_strdup (status->last_error);
          /* A good run elsewhere (the CLI) cleared it: so is ours. */
          if (self->last_error_text == NULL && !self->running)
            g_clear_error (&self->last_error);
          /* an error from an earlier session (or the CLI): its code gives the plain words */
          if (self->last_error == NULL && self->last_error_text != NULL &&
              status->last_error_code >= 0)
            self->last_error = g_error_new_literal (SY_SYNC_ERROR, status->last_error_code,
                                                    self->last_error_text);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR_TEXT]);
        }

      update_state (self);
      g_object_thaw_notify (G_OBJECT (self));
    }

  if (self->status_again)
    {
      self->status_again = FALSE;
      sy_sync_monitor_refresh (self);
    }
}

/**
 * sy_sync_monitor_refresh:
 *
 * Reads the account and the status again (records waiting, last sync): after something
 * was recorded, or when Preferences changed the account.
 */
void
sy_sync_monitor_refresh (SySyncMonitor *self)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));

  if (self->store == NULL)   /* disposed */
    return;
  if (self->status_loading)
    {
      self->status_again = TRUE;
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  read_account (self);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));

  self->status_loading = TRUE;
  sy_sync_get_status_async (self->store, self->cancellable, get_status_cb, g_object_ref (self));
}

/* ---- runs ---- */

static void
progress_cb (const SySyncProgress *progress,
             gpointer              user_data)
{
  SySyncMonitor *self = user_data;
  g_autofree char *text = NULL;

  if (!self->running)
    return;

  text = sy_sync_describe_progress (progress);
  set_phase (self, progress->total > 0 ? MIN (1.0, (double) progress->done / progress->total) : -1.0,
             text);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(SySyncMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  SySyncSummary summary = { 0 };
  gboolean ok;

  ok = sy_sync_run_finish (SY_STORE (object), result, &summary, &error);
  g_clear_object (&self->run_cancellable);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_object_freeze_notify (G_OBJECT (self));

  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  set_phase (self, -1.0, NULL);

  if (ok)
    {
      g_debug ("Synced: %u sent, %u received, %u courses", summary.pushed, summary.pulled,
               summary.courses_downloaded);
      self->n_failures = 0;
      self->reachable = TRUE;
      g_clear_error (&self->last_error);
      g_clear_pointer (&self->last_error_text, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR_TEXT]);
      g_clear_pointer (&self->last_synced, g_date_time_unref);
      self->last_synced = summary.finished > 0
        ? g_date_time_new_from_unix_utc (summary.finished / G_USEC_PER_SEC)
        : g_date_time_new_now_utc ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
    }
  else
    {
      g_debug ("Sync failed: %s", error->message);
      /* Cancelled: the account was forgotten; nothing to report. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->n_failures++;
          g_clear_error (&self->last_error);
          self->last_error = g_error_copy (error);
          g_free (self->last_error_text);
          self->last_error_text = g_strdup (error->message);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR_TEXT]);
          if (g_error_matches (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK) &&
              !self->network_available)
            self->reachable = FALSE;
        }
    }

  g_object_thaw_notify (G_OBJECT (self));

  /* The status first, so that whoever hears "sync-finished" reads the new counts soon. */
  sy_sync_monitor_refresh (self);
  if (g_error_matches (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED))
    self->n_failures = 0;
  else
    schedule_next (self);
  update_state (self);

  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, ok ? &summary : NULL);

  if (self->pending && self->hold_count == 0)
    {
      gboolean manual = self->pending_manual;

      self->pending = self->pending_manual = FALSE;
      start_run (self, manual);
    }
}

static void
start_run (SySyncMonitor *self,
           gboolean       manual)
{
  SySyncFlags flags = SY_SYNC_NONE;
  gboolean download_on_metered = FALSE;

  if (!self->started || self->account == NULL || self->store == NULL)
    return;

  if (self->running || self->hold_count > 0)
    {
      self->pending = TRUE;
      self->pending_manual |= manual;
      return;
    }

  /* Someone pressed Sync Now and is looking at the result: no backing off inside the run.
   * Runs of the schedule let the engine retry: the monitor's backoff comes on top. */
  if (manual)
    flags |= SY_SYNC_NO_RETRY;
  if (self->settings != NULL)
    download_on_metered = g_settings_get_boolean (self->settings, "sync-download-on-metered");
  if (self->metered && !download_on_metered)
    flags |= SY_SYNC_RECORDS_ONLY;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->next_delay = 0;

  g_debug ("Syncing with %s%s%s", self->account->url, manual ? " (Sync Now)" : "",
           flags & SY_SYNC_RECORDS_ONLY ? ", records only (metered)" : "");

  g_object_freeze_notify (G_OBJECT (self));
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  set_phase (self, -1.0, _("Connecting to the hub…"));
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));

  self->run_cancellable = g_cancellable_new ();
  sy_sync_run_async (self->store, flags, progress_cb, g_object_ref (self), g_object_unref,
                     self->run_cancellable, run_cb, g_object_ref (self));
}

/**
 * sy_sync_monitor_sync_now:
 *
 * Syncs now, or as soon as the run (or download) under way is over.
 */
void
sy_sync_monitor_sync_now (SySyncMonitor *self)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));

  self->n_failures = 0;
  start_run (self, TRUE);
}

/**
 * sy_sync_monitor_hold:
 *
 * Keeps runs from starting until sy_sync_monitor_release(): a download from the catalog
 * is under way. The runs asked for meanwhile start then.
 */
void
sy_sync_monitor_hold (SySyncMonitor *self)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));

  if (self->hold_count++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
sy_sync_monitor_release (SySyncMonitor *self)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));
  g_return_if_fail (self->hold_count > 0);

  if (--self->hold_count > 0)
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  if (self->pending && !self->running)
    {
      gboolean manual = self->pending_manual;

      self->pending = self->pending_manual = FALSE;
      start_run (self, manual);
    }
}

/* ---- the network ---- */

static void
network_changed_cb (SySyncMonitor   *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  gboolean was_available = self->network_available;
  gboolean metered = g_network_monitor_get_network_metered (monitor);

  g_object_freeze_notify (G_OBJECT (self));

  if (metered != self->metered)
    {
      self->metered = metered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METERED]);
    }
  if (available != was_available)
    {
      self->network_available = available;
      if (!available)
        self->reachable = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_AVAILABLE]);
    }
  update_state (self);

  g_object_thaw_notify (G_OBJECT (self));

  /* The network came: whatever backoff there was is for a network that is gone. */
  if (available && !was_available && self->started)
    {
      g_debug ("The network appeared");
      self->n_failures = 0;
      start_run (self, FALSE);
    }
}

/**
 * sy_sync_monitor_set_network_monitor:
 * @network_monitor: (nullable): where to hear about the network; %NULL for the default
 */
void
sy_sync_monitor_set_network_monitor (SySyncMonitor   *self,
                                     GNetworkMonitor *network_monitor)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));
  g_return_if_fail (network_monitor == NULL || G_IS_NETWORK_MONITOR (network_monitor));

  if (network_monitor == NULL)
    network_monitor = g_network_monitor_get_default ();
  if (network_monitor == self->network_monitor)
    return;

  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_set_object (&self->network_monitor, network_monitor);
  g_signal_connect_object (network_monitor, "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
  network_changed_cb (self, g_network_monitor_get_network_available (network_monitor),
                      network_monitor);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_MONITOR]);
}

static void
interval_changed_cb (SySyncMonitor *self)
{
  /* A backoff shorter than the new interval stays; a wait for the old interval does not. */
  if (self->timeout_id != 0 && self->n_failures == 0)
    schedule (self, get_interval_seconds (self));
}

/**
 * sy_sync_monitor_start:
 *
 * Starts watching the network and the clock: the store is open. Syncs a few seconds
 * later if this PC is enrolled.
 */
void
sy_sync_monitor_start (SySyncMonitor *self)
{
  g_return_if_fail (SY_IS_SYNC_MONITOR (self));

  if (self->started)
    return;

  self->started = TRUE;
  if (self->network_monitor == NULL)
    sy_sync_monitor_set_network_monitor (self, NULL);
  sy_sync_monitor_refresh (self);
  if (self->account != NULL && self->timeout_id == 0 && !self->running)
    schedule (self, STARTUP_DELAY_SECONDS);
}

/* ---- GObject ---- */

static void
sy_sync_monitor_constructed (GObject *object)
{
  SySyncMonitor *self = SY_SYNC_MONITOR (object);

  G_OBJECT_CLASS (sy_sync_monitor_parent_class)->constructed (object);

  g_assert (SY_IS_STORE (self->store));

  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::sync-interval-minutes",
                             G_CALLBACK (interval_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
sy_sync_monitor_dispose (GObject *object)
{
  SySyncMonitor *self = SY_SYNC_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sy_sync_monitor_parent_class)->dispose (object);
}

static void
sy_sync_monitor_finalize (GObject *object)
{
  SySyncMonitor *self = SY_SYNC_MONITOR (object);

  g_clear_object (&self->cancellable);
  g_free (self->phase_text);
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  g_clear_error (&self->last_error);
  g_free (self->last_error_text);
  g_clear_pointer (&self->account, sy_sync_account_free);

  G_OBJECT_CLASS (sy_sync_monitor_parent_class)->finalize (object);
}

static void
sy_sync_monitor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SySyncMonitor *self = SY_SYNC_MONITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->network_monitor);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, sy_sync_monitor_get_busy (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_PHASE_TEXT:
      g_value_set_string (value, self->phase_text);
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->waiting);
      break;
    case PROP_QUARANTINED:
      g_value_set_uint (value, self->quarantined);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_boxed (value, self->last_synced);
      break;
    case PROP_LAST_ERROR_TEXT:
      g_value_set_string (value, sy_sync_monitor_get_last_error_text (self));
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, self->account != NULL);
      break;
    case PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->network_available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_sync_monitor_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SySyncMonitor *self = SY_SYNC_MONITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_NETWORK_MONITOR:
      sy_sync_monitor_set_network_monitor (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_sync_monitor_class_init (SySyncMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = sy_sync_monitor_constructed;
  object_class->dispose = sy_sync_monitor_dispose;
  object_class->finalize = sy_sync_monitor_finalize;
  object_class->get_property = sy_sync_monitor_get_property;
  object_class->set_property = sy_sync_monitor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SY_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* (nullable): without the schema, the defaults */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where the network comes from: the default one, or a test's. */
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SY_TYPE_SYNC_STATE, SY_SYNC_STATE_UNKNOWN, ro);
  /* A run, or a download from the catalog, is under way: no other may start. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  /* How far the run's step is, from 0 to 1; -1 when not known */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_PHASE_TEXT] =
    g_param_spec_string ("phase-text", NULL, NULL, NULL, ro);
  properties[PROP_WAITING] =
    g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_QUARANTINED] =
    g_param_spec_uint ("quarantined", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_boxed ("last-synced", NULL, NULL, G_TYPE_DATE_TIME, ro);
  /* The last run's error, in words for the person at the PC */
  properties[PROP_LAST_ERROR_TEXT] =
    g_param_spec_string ("last-error-text", NULL, NULL, NULL, ro);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE, ro);
  properties[PROP_METERED] =
    g_param_spec_boolean ("metered", NULL, NULL, FALSE, ro);
  properties[PROP_NETWORK_AVAILABLE] =
    g_param_spec_boolean ("network-available", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SySyncMonitor::sync-finished:
   * @summary: (nullable): what the run did; %NULL when it failed (see last-error-text)
   */
  signals[SIGNAL_SYNC_FINISHED] =
    g_signal_new ("sync-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
sy_sync_monitor_init (SySyncMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->fraction = -1.0;
}

/**
 * sy_sync_monitor_new:
 * @store: an open store
 * @settings: (nullable): the app's settings (`sync-interval-minutes`,
 *   `sync-download-on-metered`); %NULL for the defaults
 *
 * Returns: (transfer full): a monitor that does nothing until sy_sync_monitor_start()
 */
SySyncMonitor *
sy_sync_monitor_new (SyStore   *store,
                     GSettings *settings)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (SY_TYPE_SYNC_MONITOR, "store", store, "settings", settings, NULL);
}

/* ---- getters ---- */

SyStore *
sy_sync_monitor_get_store (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->store;
}

/* Returns: (nullable): the settings, or %NULL when the schema is not installed */
GSettings *
sy_sync_monitor_get_settings (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->settings;
}

SySyncState
sy_sync_monitor_get_state (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), SY_SYNC_STATE_UNKNOWN);
  return self->state;
}

gboolean
sy_sync_monitor_get_busy (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), FALSE);
  return self->running || self->hold_count > 0;
}

double
sy_sync_monitor_get_fraction (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), -1.0);
  return self->fraction;
}

const char *
sy_sync_monitor_get_phase_text (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->phase_text;
}

guint
sy_sync_monitor_get_waiting (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), 0);
  return self->waiting;
}

guint
sy_sync_monitor_get_quarantined (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), 0);
  return self->quarantined;
}

/* Returns: (nullable) (transfer none): when a sync last worked */
GDateTime *
sy_sync_monitor_get_last_synced (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->last_synced;
}

/* Returns: (nullable): the error of this session's last run, if it failed */
const GError *
sy_sync_monitor_get_last_error (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->last_error;
}

/* Returns: (nullable): the last run's error as the engine put it (it may be a run of an
 * earlier session, or of the CLI) */
const char *
sy_sync_monitor_get_last_error_text (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  if (self->last_error != NULL)
    return self->last_error->message;
  return self->last_error_text;
}

gboolean
sy_sync_monitor_get_enrolled (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), FALSE);
  return self->account != NULL;
}

/* Returns: (nullable): the hub's name for this PC's organisation */
const char *
sy_sync_monitor_get_organisation (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->account != NULL ? self->account->organisation : NULL;
}

/* Returns: (nullable): the hub's address */
const char *
sy_sync_monitor_get_url (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->account != NULL ? self->account->url : NULL;
}

gboolean
sy_sync_monitor_get_metered (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), FALSE);
  return self->metered;
}

gboolean
sy_sync_monitor_get_network_available (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), FALSE);
  return self->network_available;
}

GNetworkMonitor *
sy_sync_monitor_get_network_monitor (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), NULL);
  return self->network_monitor;
}

/* Returns: in how many seconds the next run is scheduled, 0 when none is (for tests) */
guint
sy_sync_monitor_get_next_delay (SySyncMonitor *self)
{
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (self), 0);
  return self->next_delay;
}
