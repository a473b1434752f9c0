/* ui-test-util.h — helpers the UI test programs share
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-application.h"
#include "sy-store.h"
#include "sy-window.h"

G_BEGIN_DECLS

/* How long ui_test_wait_for() lets the main loop run before giving up. */
#define UI_TEST_TIMEOUT_MS 10000

typedef gboolean (*UiTestPredicate) (gpointer data);

/* Main loop */
gboolean       ui_test_wait_for_ms         (UiTestPredicate  predicate,
                                            gpointer         data,
                                            guint            timeout_ms);
gboolean       ui_test_wait_for            (UiTestPredicate  predicate,
                                            gpointer         data);
void           ui_test_spin                (guint            ms);
void           ui_test_destroy_and_wait_freed (GtkWindow     *window,
                                            gpointer         object);
void           ui_test_wait_frames         (GtkWidget       *widget);

/* Windows */
gboolean       ui_test_window_settled      (gpointer         data);
/* A SyWindow (@data) has a learner signed in and is settled. */
gboolean       ui_test_signed_in_and_settled (gpointer       data);
/* A SyWindow (@data) shows its PIN dialog. */
gboolean       ui_test_pin_dialog_shown    (gpointer         data);
/* Activates @learner's tile in @window's chooser, types @pin and waits until signed in. */
void           ui_test_sign_in_with_pin    (SyWindow        *window,
                                            SyLearner       *learner,
                                            const char      *pin);
void           ui_test_wait_settled        (SyWindow        *window);
gboolean       ui_test_window_has_size     (gpointer         data);
void           ui_test_resize_window       (SyWindow        *window,
                                            int              width,
                                            int              height);
void           ui_test_assert_fits         (SyWindow        *window,
                                            int              max_width,
                                            int              max_height);
gboolean       ui_test_view_is             (SyWindow        *window,
                                            const char      *view);

/* Screenshots */
char          *ui_test_screenshot_dir      (void);
void           ui_test_save_screenshot     (GtkWidget       *widget,
                                            const char      *name);

/* Data */
char          *ui_test_make_data_dir       (const char      *tmpl);
void           ui_test_remove_data_dir     (char            *data_dir);
GFile         *ui_test_sample_file         (const char      *name);
SyStore       *ui_test_open_store          (const char      *data_dir);
void           ui_test_import_samples      (SyStore         *store,
                                            const char * const *dirs);

/* Finding widgets */
void           ui_test_collect             (GtkWidget       *root,
                                            GType            type,
                                            GPtrArray       *found);
gboolean       ui_test_has_label           (GtkWidget       *root,
                                            const char      *text);
GtkWidget     *ui_test_find_named          (GtkWidget       *root,
                                            const char      *name);
AdwActionRow  *ui_test_find_row            (GtkWidget       *root,
                                            const char      *title);

/* main() */
void           ui_test_init                (int             *argc,
                                            char          ***argv,
                                            const char      *schema_dir);
SyApplication *ui_test_register_app        (void);

G_END_DECLS
