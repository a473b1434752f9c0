/* test-util.h — helpers shared by the core test programs
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-store.h"

G_BEGIN_DECLS

typedef enum
{
  TEST_ENTRY_FILE,
  TEST_ENTRY_DIR,
  TEST_ENTRY_SYMLINK,
  TEST_ENTRY_HARDLINK,
  TEST_ENTRY_CHARDEV,
} TestEntryType;

typedef struct
{
  const char    *path;
  TestEntryType  type;
  const char    *contents;   /* file contents, or the link target */
  gsize          size;       /* 0: strlen (contents); else that many bytes (zeros if no contents) */
} TestEntry;

int     test_compare_strings    (gconstpointer     a,
                                 gconstpointer     b);
char   *test_make_temp_dir      (const char       *prefix);
char   *test_samples_dir        (void);
void    test_write_file         (const char       *dir,
                                 const char       *path,
                                 const char       *contents);
void    test_write_zip          (const char       *zip_path,
                                 const TestEntry  *entries,
                                 guint             n_entries);
void    test_zip_folder         (const char       *folder,
                                 const char       *prefix,
                                 const char       *zip_path);
void    test_copy_tree          (const char       *from,
                                 const char       *to);
char   *test_list_dir           (const char       *path);
void    test_install_tiny_course (SyStore         *store,
                                  const char      *work_dir);
/* Records one event of @learner_uuid as the lesson and quiz views do; a @score of 0 or more
 * (scaled) passes from 0.5. Returns the statement's id. */
char   *test_record_event       (SyStore          *store,
                                 const char       *learner_uuid,
                                 const char       *course_id,
                                 const char       *item_id,
                                 SyItemType        type,
                                 SyVerb            verb,
                                 double            seconds,
                                 double            score,
                                 const char       *registration);
/* A child process's first line of output (e.g. a server's "listening on URL"), within
 * @timeout_s: NULL with @error set when it could not be read or did not come in time (then
 * G_IO_ERROR_TIMED_OUT), NULL without when the process ended first. */
char   *test_read_first_line    (GInputStream     *pipe,
                                 int               timeout_s,
                                 GError          **error);
/* Waits for @process to exit, at most @timeout_s; FALSE when it did not. */
gboolean test_wait_exit         (GSubprocess      *process,
                                 int               timeout_s);
/* The same, for @learner, without a registration. */
char   *test_record             (SyStore          *store,
                                 SyLearner        *learner,
                                 const char       *course_id,
                                 const char       *item_id,
                                 SyItemType        type,
                                 SyVerb            verb,
                                 double            seconds,
                                 double            score);
/* One survey attempt as the quiz view records it: attempted, each answer, completed.
 * @...: question id, response, … NULL; a question may come twice (the last counts). */
void    test_take_survey        (SyStore          *store,
                                 const char       *learner_uuid,
                                 const char       *course_id,
                                 const char       *item_id,
                                 ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
