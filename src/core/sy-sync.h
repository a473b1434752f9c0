/* sy-sync.h — the sync engine: this PC's records and courses with a hub or any LRS
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sync run, in order:
 *   1. registers with the hub the learners it does not know yet (a hub only);
 *   2. pushes the outbox (statements not yet acknowledged) in batches of at most 500,
 *      gzip-compressed where the hub accepts it; a statement is marked synced only when
 *      the hub acknowledges it; one the hub refuses for good (409: another statement
 *      with its id; 400: invalid) goes to the quarantine, the others wait for the next
 *      run; 5xx, timeouts and resets are retried with exponential backoff and jitter;
 *   3. pulls the learner registry and the statements stored since the last checkpoint,
 *      following `more`; the checkpoint becomes the first page's
 *      X-Experience-API-Consistent-Through, so nothing stored meanwhile is missed;
 *      duplicates are ignored by statement id and projections updated;
 *   4. unless records only: reads the catalog and downloads every course that is new or
 *      newer than the installed one, resuming a `.part` file by Range, checks its sha256,
 *      renames it and imports it.
 * Each step commits as it goes, so a run killed at any instant loses nothing and the
 * next run finishes the job without doubling anything.
 *
 * Blocking calls (sy_sync_run, sy_sync_enrol…) may run on any thread except the
 * store's; the _async variants run them on a GTask thread and report progress on the
 * caller's thread-default main context.
 */
#pragma once

#include <gio/gio.h>

#include "sy-store.h"

G_BEGIN_DECLS

#define SY_SYNC_ERROR (sy_sync_error_quark ())

/**
 * SySyncError:
 * @SY_SYNC_ERROR_NOT_ENROLLED: this PC has no hub or LRS to sync with
 * @SY_SYNC_ERROR_ADDRESS: the address is not an http(s) URL
 * @SY_SYNC_ERROR_NETWORK: no connection to the hub (no network, refused, timed out, reset)
 * @SY_SYNC_ERROR_TLS: the hub's certificate cannot be trusted
 * @SY_SYNC_ERROR_CODE: the enrolment code is wrong, used or expired
 * @SY_SYNC_ERROR_AUTH: the hub no longer accepts this PC's credential
 * @SY_SYNC_ERROR_SERVER: the hub answered with an error
 * @SY_SYNC_ERROR_PROTOCOL: the answer cannot be understood (not a hub, not an LRS)
 * @SY_SYNC_ERROR_PACKAGE: a downloaded course is damaged or cannot be installed
 * @SY_SYNC_ERROR_BUSY: another sync is running on this data folder
 *
 * Messages are written for the person at the PC ("The hub cannot be reached…");
 * the technical detail follows after a colon.
 */
typedef enum
{
  SY_SYNC_ERROR_NOT_ENROLLED,
  SY_SYNC_ERROR_ADDRESS,
  SY_SYNC_ERROR_NETWORK,
  SY_SYNC_ERROR_TLS,
  SY_SYNC_ERROR_CODE,
  SY_SYNC_ERROR_AUTH,
  SY_SYNC_ERROR_SERVER,
  SY_SYNC_ERROR_PROTOCOL,
  SY_SYNC_ERROR_PACKAGE,
  SY_SYNC_ERROR_BUSY,
} SySyncError;

GQuark sy_sync_error_quark (void);

/**
 * SySyncKind:
 * @SY_SYNC_KIND_HUB: a shuyuan-hub (records, learners, catalog)
 * @SY_SYNC_KIND_LRS: any conformant xAPI LRS (records only)
 */
typedef enum
{
  SY_SYNC_KIND_HUB,
  SY_SYNC_KIND_LRS,
} SySyncKind;

/**
 * SySyncAccount:
 * @kind: what is at @url
 * @url: the hub's base address (a hub) or the LRS's xAPI endpoint (an LRS), no trailing /
 * @user: the device id (a hub) or the LRS key
 * @organisation: (nullable): the hub's organisation of this PC
 *
 * What this PC syncs with. The secret stays in the account file (mode 0600) and is not
 * part of this struct.
 */
typedef struct
{
  SySyncKind  kind;
  char       *url;
  char       *user;
  char       *organisation;
} SySyncAccount;

void           sy_sync_account_free (SySyncAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SySyncAccount, sy_sync_account_free)

/* The account, or NULL (and no error) when this PC is not enrolled. */
SySyncAccount *sy_sync_get_account  (SyStore       *store,
                                     GError       **error);
/* Forgets the account (the records stay; unsynced ones wait for the next account). */
gboolean       sy_sync_forget       (SyStore       *store,
                                     GError       **error);

/* Exchanges an enrolment code (from the coordinator, read over the phone: case, spaces
 * and hyphens do not matter) at the hub @url for this PC's credential, and stores it.
 * @label: (nullable): how the hub lists this PC (default: the host name). */
gboolean       sy_sync_enrol        (SyStore       *store,
                                     const char    *url,
                                     const char    *code,
                                     const char    *label,
                                     GCancellable  *cancellable,
                                     GError       **error);
void           sy_sync_enrol_async  (SyStore             *store,
                                     const char          *url,
                                     const char          *code,
                                     const char          *label,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean       sy_sync_enrol_finish (SyStore       *store,
                                     GAsyncResult  *result,
                                     GError       **error);

/* Records will go to (and come from) the LRS at @endpoint (its xAPI base, e.g.
 * http://lrs.example/xapi) with HTTP Basic @key/@secret. Checks GET @endpoint/about. */
gboolean       sy_sync_connect_lrs  (SyStore       *store,
                                     const char    *endpoint,
                                     const char    *key,
                                     const char    *secret,
                                     GCancellable  *cancellable,
                                     GError       **error);

/**
 * SySyncPhase:
 * Where a run is; progress counts statements (push, pull), learners (register),
 * bytes (download) or nothing (catalog, import).
 */
typedef enum
{
  SY_SYNC_PHASE_IDLE,
  SY_SYNC_PHASE_REGISTER,
  SY_SYNC_PHASE_PUSH,
  SY_SYNC_PHASE_PULL,
  SY_SYNC_PHASE_CATALOG,
  SY_SYNC_PHASE_DOWNLOAD,
  SY_SYNC_PHASE_IMPORT,
} SySyncPhase;

/**
 * SySyncProgress:
 * @phase: the step
 * @done: statements, learners or bytes done in this step
 * @total: how many in all, or 0 when not known (a pull)
 * @item: (nullable): the course being downloaded (its title in the PC's language)
 */
typedef struct
{
  SySyncPhase  phase;
  guint64      done;
  guint64      total;
  const char  *item;
} SySyncProgress;

/* Called on the thread of the call (blocking calls) or the caller's main context
 * (async calls). */
typedef void (*SySyncProgressFunc) (const SySyncProgress *progress,
                                    gpointer              user_data);

/**
 * SySyncFlags:
 * @SY_SYNC_RECORDS_ONLY: push and pull records; no catalog, no downloads (a metered
 *   connection, or `sync --records-only`)
 * @SY_SYNC_NO_RETRY: fail at the first network error instead of backing off (a test,
 *   or a user who pressed Sync now and will see the error)
 */
typedef enum
{
  SY_SYNC_NONE         = 0,
  SY_SYNC_RECORDS_ONLY = 1 << 0,
  SY_SYNC_NO_RETRY     = 1 << 1,
} SySyncFlags;

/**
 * SySyncSummary:
 * What a run did. Counts are of this run only.
 */
typedef struct
{
  guint    learners_registered;
  guint    learners_pulled;
  guint    pushed;
  guint    quarantined;
  guint    pulled;            /* statements new to this PC */
  guint    courses_downloaded;
  guint    courses_failed;
  guint64  bytes_sent;        /* on the wire: headers and bodies as sent */
  guint64  bytes_received;
  gint64   finished;          /* wall clock, µs since the epoch */
} SySyncSummary;

gboolean       sy_sync_run          (SyStore             *store,
                                     SySyncFlags          flags,
                                     SySyncProgressFunc   progress,
                                     gpointer             progress_data,
                                     SySyncSummary       *summary,
                                     GCancellable        *cancellable,
                                     GError             **error);
void           sy_sync_run_async    (SyStore             *store,
                                     SySyncFlags          flags,
                                     SySyncProgressFunc   progress,
                                     gpointer             progress_data,
                                     GDestroyNotify       progress_data_free,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean       sy_sync_run_finish   (SyStore             *store,
                                     GAsyncResult        *result,
                                     SySyncSummary       *summary,
                                     GError             **error);

/**
 * SySyncStatus:
 * @waiting: statements made on this PC that the hub has not acknowledged yet
 * @quarantined: statements the hub refused for good (see sy_store_list_quarantine())
 * @last_synced: (nullable): when a run last finished without error (ISO 8601)
 * @last_error: (nullable): the last run's error message, cleared by a good run
 * @last_error_code: its #SySyncError code, or -1 (none, or not a sync error)
 */
typedef struct
{
  guint  waiting;
  guint  quarantined;
  char  *last_synced;
  char  *last_error;
  int    last_error_code;
} SySyncStatus;

void           sy_sync_status_free  (SySyncStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SySyncStatus, sy_sync_status_free)

SySyncStatus  *sy_sync_get_status   (SyStore             *store,
                                     GCancellable        *cancellable,
                                     GError             **error);
void           sy_sync_get_status_async (SyStore         *store,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
SySyncStatus  *sy_sync_get_status_finish (SyStore        *store,
                                     GAsyncResult        *result,
                                     GError             **error);

/**
 * SyCatalogEntry:
 * @id, @version: the course and the hub's version of it
 * @title: the title in the PC's language
 * @programme: (nullable): its programme
 * @size: bytes to download
 * @sha256: the package's sha256 (hex)
 * @installed_version: the version on this PC, 0 when not installed
 *
 * A course the hub offers. It is worth downloading when @version > @installed_version.
 */
typedef struct
{
  char    *id;
  int      version;
  char    *title;
  char    *programme;
  guint64  size;
  char    *sha256;
  char    *url;
  int      installed_version;
} SyCatalogEntry;

void           sy_catalog_entry_free (SyCatalogEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyCatalogEntry, sy_catalog_entry_free)

/* The hub's catalog (an array of SyCatalogEntry), read now. */
GPtrArray     *sy_sync_get_catalog  (SyStore             *store,
                                     GCancellable        *cancellable,
                                     GError             **error);
void           sy_sync_get_catalog_async (SyStore        *store,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray     *sy_sync_get_catalog_finish (SyStore       *store,
                                     GAsyncResult        *result,
                                     GError             **error);

/* Downloads (resuming) and installs one course of the catalog. */
gboolean       sy_sync_download     (SyStore             *store,
                                     const SyCatalogEntry *entry,
                                     SySyncProgressFunc   progress,
                                     gpointer             progress_data,
                                     GCancellable        *cancellable,
                                     GError             **error);
void           sy_sync_download_async (SyStore           *store,
                                     const SyCatalogEntry *entry,
                                     SySyncProgressFunc   progress,
                                     gpointer             progress_data,
                                     GDestroyNotify       progress_data_free,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean       sy_sync_download_finish (SyStore          *store,
                                     GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
