/* test-sync-ui.c — the sync indicator, Preferences and the catalog page against a real hub
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A shuyuan-hub process with two courses published and an enrolment code; the app in
 * process under Xvfb, its network a pretend one the test switches (metered first, so the
 * sync sends records only and the catalog's courses are left to download by hand). The
 * learner signs in; the indicator offers to set up sync; Preferences refuses a wrong
 * code in plain words and enrols with the right one; a record made through the store
 * shows as waiting; Sync Now sends it; the catalog page downloads the other course, which
 * then is in the library; the hub is forgotten. Screenshots in English and Chinese.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-application.h"
#include "sy-course-card.h"
#include "sy-statement.h"
#include "sy-store.h"
#include "sy-sync-ui-private.h"
#include "sy-window-private.h"
#include "sync-ui-util.h"
#include "ui-test-util.h"

#define CFK_ID "cfk-sequences-loops"
#define VD_ID "vd-hand-hygiene-cold-chain"
#define ORG "Green Valley Clinic"
#define SYNC_TIMEOUT_MS 60000

static SyApplication *app;

static const char * const local_samples[] = { "coding-for-kids", NULL };
static const char * const hub_samples[] = { "coding-for-kids", "village-doctor-hygiene", NULL };

typedef struct
{
  char            *data_dir;
  SyStore         *store;
  SyWindow        *window;
  SyncUiHub       *hub;
  GNetworkMonitor *network;
  SyLearner       *learner;
  const char      *suffix;     /* of the screenshots: "" or "-zh_CN" */
} Fixture;

static gboolean
window_gone (gpointer data)
{
  return *(SyWindow **) data == NULL;
}

static void
screenshot (Fixture    *f,
            GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("sync-%s%s.png", name, f->suffix);

  ui_test_save_screenshot (widget, file);
}

/* ---- waiting ---- */

typedef struct
{
  SySyncMonitor *monitor;
  SySyncState    state;
  guint          waiting;
} StateWait;

static gboolean
monitor_in_state (gpointer data)
{
  StateWait *w = data;

  return sy_sync_monitor_get_state (w->monitor) == w->state &&
         (w->waiting == G_MAXUINT || sy_sync_monitor_get_waiting (w->monitor) == w->waiting);
}

static void
wait_state (SySyncMonitor *monitor,
            SySyncState    state,
            guint          waiting)
{
  StateWait w = { monitor, state, waiting };

  if (!ui_test_wait_for_ms (monitor_in_state, &w, SYNC_TIMEOUT_MS))
    g_error ("the sync monitor is in state %d with %u waiting (%s), not %d with %u",
             sy_sync_monitor_get_state (monitor), sy_sync_monitor_get_waiting (monitor),
             sy_sync_monitor_get_last_error_text (monitor) ? sy_sync_monitor_get_last_error_text (monitor) : "no error",
             state, waiting);
}

static gboolean
preferences_shown (gpointer data)
{
  SyPreferencesWindow *prefs = _sy_window_get_preferences_window (data);

  return prefs != NULL && gtk_widget_get_mapped (GTK_WIDGET (prefs));
}

static gboolean
enrol_done (gpointer data)
{
  return !_sy_preferences_window_is_enrolling (data);
}

static gboolean
catalog_settled (gpointer data)
{
  return !sy_catalog_page_get_busy (data) &&
         g_strcmp0 (_sy_catalog_page_get_view (data), "loading") != 0;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
library_has_two (gpointer data)
{
  return ui_test_view_is (data, "courses") && _sy_window_get_n_cards (data) == 2 &&
         ui_test_window_settled (data);
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* not gtk_widget_activate(): that emits "clicked" a quarter of a second later */
  g_signal_emit_by_name (button, "clicked");
}

static void
count_runs_cb (guint *runs)
{
  (*runs)++;
}

static gboolean
counted_one (gpointer data)
{
  return *(guint *) data >= 1;
}

/* ---- the flow ---- */

static void
record_lesson (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  SyEvent event;

  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (f->learner);
  event.course_id = CFK_ID;
  event.item_id = "what-is-a-program";
  event.item_type = SY_ITEM_LESSON;
  event.verb = SY_VERB_COMPLETED;
  event.seconds = 95;
  id = sy_store_record (f->store, &event, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
view_settled (gpointer data)
{
  SyWindow *window = data;
  const char *view = g_object_get_data (G_OBJECT (window), "wanted-view");

  return ui_test_view_is (window, view) && ui_test_window_settled (window);
}

static void
wait_view (SyWindow   *window,
           const char *view)
{
  g_object_set_data (G_OBJECT (window), "wanted-view", (gpointer) view);
  if (!ui_test_wait_for (view_settled, window))
    g_error ("the window shows “%s”, not “%s”", _sy_window_get_view (window), view);
  g_object_set_data (G_OBJECT (window), "wanted-view", NULL);
}

/* A lesson opened from the library and left, as a learner would: its statements are
 * recorded by the app itself. */
static void
read_lesson (Fixture    *f,
             const char *title)
{
  SyCourseCard *card = NULL;
  AdwActionRow *row;

  for (guint i = 0; i < _sy_window_get_n_cards (f->window) && card == NULL; i++)
    {
      SyCourseCard *c = _sy_window_get_card (f->window, i);

      if (c != NULL && g_strcmp0 (sy_course_get_id (sy_course_card_get_course (c)), CFK_ID) == 0)
        card = c;
    }
  g_assert_nonnull (card);
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (card)));
  g_assert_true (gtk_widget_activate (gtk_widget_get_parent (GTK_WIDGET (card))));
  wait_view (f->window, "course");

  row = ui_test_find_row (GTK_WIDGET (_sy_window_get_course_page (f->window)), title);
  g_assert_nonnull (row);
  gtk_widget_grab_focus (GTK_WIDGET (row));
  g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
  wait_view (f->window, "item");
  ui_test_spin (200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.go-back", NULL));
  wait_view (f->window, "course");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.go-back", NULL));
  wait_view (f->window, "courses");
}

static gboolean
some_waiting (gpointer data)
{
  return sy_sync_monitor_get_state (data) == SY_SYNC_STATE_IDLE &&
         sy_sync_monitor_get_waiting (data) > 0;
}

static void
enrol (Fixture             *f,
       SyPreferencesWindow *prefs,
       const char          *code)
{
  gtk_editable_set_text (_sy_preferences_window_get_address (prefs), f->hub->url);
  gtk_editable_set_text (_sy_preferences_window_get_code (prefs), code);
  click (_sy_preferences_window_get_enrol_button (prefs));
  g_assert_true (_sy_preferences_window_is_enrolling (prefs));
  g_assert_true (ui_test_wait_for_ms (enrol_done, prefs, SYNC_TIMEOUT_MS));
}

static void
run_flow (gboolean zh)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) code_error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *synced = NULL;
  SySyncMonitor *monitor;
  SySyncIndicator *indicator;
  SyPreferencesWindow *prefs;
  SyCatalogPage *catalog;
  GtkPopover *popover;
  GtkWidget *tile;

  if (zh)
    g_setenv ("LANGUAGE", "zh_CN", TRUE);
  f.suffix = zh ? "-zh_CN" : "";

  f.hub = sync_ui_hub_start (hub_samples);
  code = sync_ui_hub_enrol_code (f.hub, ORG);
  g_assert_cmpstr (code, !=, "");

  f.data_dir = ui_test_make_data_dir ("shuyuan-sync-ui-XXXXXX");
  f.store = ui_test_open_store (f.data_dir);
  ui_test_import_samples (f.store, local_samples);
  f.learner = sy_store_add_learner_full (f.store, zh ? "阿米娜" : "Amina", SY_ROLE_LEARNER,
                                         NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  f.window = sy_application_open_data_dir (app, f.data_dir);
  ui_test_wait_settled (f.window);
  ui_test_resize_window (f.window, 1024, 600);

  tile = _sy_learner_chooser_get_tile (_sy_window_get_chooser (f.window),
                                       sy_learner_get_uuid (f.learner));
  g_assert_nonnull (tile);
  g_assert_true (gtk_widget_activate (tile));
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, f.window));

  /* A metered network: the syncs send records only, so the courses stay to download. */
  monitor = _sy_window_get_sync_monitor (f.window);
  g_assert_nonnull (monitor);
  f.network = sync_ui_network_new (TRUE, TRUE);
  sy_sync_monitor_set_network_monitor (monitor, f.network);
  g_assert_true (sy_sync_monitor_get_metered (monitor));
  ui_test_assert_fits (f.window, 1024, 600);

  /* Not set up: the indicator offers to. */
  indicator = _sy_window_get_sync_indicator (f.window);
  wait_state (monitor, SY_SYNC_STATE_NOT_SET_UP, G_MAXUINT);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  g_assert_cmpstr (_sy_sync_indicator_get_label (indicator), ==, _("Set Up Sync"));
  g_assert_true (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (indicator), "sync-setup-button")));
  screenshot (&f, GTK_WIDGET (f.window), "not-set-up");

  /* It opens Preferences (so does Ctrl+comma: the same action). */
  click (ui_test_find_named (GTK_WIDGET (indicator), "sync-setup-button"));
  g_assert_true (ui_test_wait_for (preferences_shown, f.window));
  prefs = _sy_window_get_preferences_window (f.window);
  g_assert_null (_sy_preferences_window_get_enrolled (prefs));
  g_assert_false (gtk_widget_is_sensitive (_sy_preferences_window_get_enrol_button (prefs)));

  /* A wrong code: said in plain words, under the rows. */
  enrol (&f, prefs, "WRONG-CODE-1234");
  code_error = g_error_new_literal (SY_SYNC_ERROR, SY_SYNC_ERROR_CODE, "");
  expected = sy_sync_describe_error (code_error);
  g_assert_cmpstr (_sy_preferences_window_get_error (prefs), ==, expected);
  g_assert_null (_sy_preferences_window_get_enrolled (prefs));
  g_assert_false (sy_sync_monitor_get_enrolled (monitor));
  ui_test_spin (500);  /* the rows' and the title's animations */
  screenshot (&f, GTK_WIDGET (prefs), "preferences-wrong-code");

  /* The right one, as read over the phone: lower case, spaces. */
  {
    g_autofree char *spoken = g_ascii_strdown (code, -1);

    enrol (&f, prefs, spoken);
  }
  g_assert_null (_sy_preferences_window_get_error (prefs));
  g_assert_cmpstr (_sy_preferences_window_get_enrolled (prefs), ==, ORG);
  g_assert_true (sy_sync_monitor_get_enrolled (monitor));
  g_assert_cmpstr (sy_sync_monitor_get_organisation (monitor), ==, ORG);
  ui_test_spin (300);  /* the toast */
  screenshot (&f, GTK_WIDGET (prefs), "preferences");
  {
    int min_width, min_height;

    gtk_widget_measure (GTK_WIDGET (prefs), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
    gtk_widget_measure (GTK_WIDGET (prefs), GTK_ORIENTATION_VERTICAL, 1024, &min_height, NULL, NULL, NULL);
    g_assert_cmpint (min_width, <=, 1024);
    g_assert_cmpint (min_height, <=, 600);
  }

  /* Enrolling syncs at once; then everything is sent. */
  wait_state (monitor, SY_SYNC_STATE_IDLE, 0);
  g_assert_nonnull (sy_sync_monitor_get_last_synced (monitor));
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_null (_sy_window_get_preferences_window (f.window));
  ui_test_wait_settled (f.window);

  /* A lesson read: its records wait, and the indicator says so (the popover reads the
   * count again as it opens). */
  read_lesson (&f, zh ? "什么是程序" : "What is a program?");
  popover = _sy_sync_indicator_get_popover (indicator);
  g_assert_true (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (indicator), "sync-button")));
  gtk_menu_button_popup (GTK_MENU_BUTTON (ui_test_find_named (GTK_WIDGET (indicator), "sync-button")));
  g_assert_true (ui_test_wait_for (popover_shown, popover));
  g_assert_true (ui_test_wait_for (some_waiting, monitor));
  g_test_message ("%u records waiting after the lesson", sy_sync_monitor_get_waiting (monitor));
  g_free (expected);
  expected = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record waiting",
                                           "%u records waiting", sy_sync_monitor_get_waiting (monitor)),
                              sy_sync_monitor_get_waiting (monitor));
  g_assert_cmpstr (_sy_sync_indicator_get_label (indicator), ==, expected);
  screenshot (&f, GTK_WIDGET (f.window), "waiting");
  screenshot (&f, GTK_WIDGET (popover), "popover-waiting");

  /* Sync Now sends it. */
  click (_sy_sync_indicator_get_sync_now_button (indicator));
  wait_state (monitor, SY_SYNC_STATE_IDLE, 0);
  synced = sy_sync_format_last_synced (sy_sync_monitor_get_last_synced (monitor));
  g_assert_cmpstr (_sy_sync_indicator_get_label (indicator), ==, synced);
  g_assert_null (sy_sync_monitor_get_last_error_text (monitor));
  /* the next one in the interval's time (the default: 15 minutes) */
  g_assert_cmpuint (sy_sync_monitor_get_next_delay (monitor), ==, 15 * 60);
  screenshot (&f, GTK_WIDGET (popover), "popover-synced");
  gtk_popover_popdown (popover);

  /* The catalog: one course installed, the other to download; a metered warning. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-catalog", NULL));
  catalog = _sy_window_get_catalog_page (f.window);
  g_assert_true (ui_test_view_is (f.window, "catalog"));
  g_assert_true (ui_test_wait_for_ms (catalog_settled, catalog, SYNC_TIMEOUT_MS));
  if (_sy_catalog_page_get_error (catalog) != NULL)
    g_error ("the catalog did not load: %s", _sy_catalog_page_get_error (catalog));
  g_assert_cmpstr (_sy_catalog_page_get_view (catalog), ==, "list");
  g_assert_cmpuint (_sy_catalog_page_get_n_rows (catalog), ==, 2);
  g_assert_cmpstr (_sy_catalog_page_get_row_state (catalog, CFK_ID), ==, "installed");
  g_assert_cmpstr (_sy_catalog_page_get_row_state (catalog, VD_ID), ==, "button");
  g_assert_true (_sy_catalog_page_get_metered_shown (catalog));
  ui_test_wait_settled (f.window);
  ui_test_assert_fits (f.window, 1024, 600);
  screenshot (&f, GTK_WIDGET (f.window), "catalog");

  /* The network is no longer metered: the warning goes. */
  sync_ui_network_set (f.network, TRUE, FALSE);
  g_assert_false (_sy_catalog_page_get_metered_shown (catalog));
  /* …and a sync starts only when the network appears, not on every change. */

  click (_sy_catalog_page_get_row_button (catalog, VD_ID));
  g_assert_true (ui_test_wait_for_ms (catalog_settled, catalog, SYNC_TIMEOUT_MS));
  g_assert_cmpstr (_sy_catalog_page_get_row_state (catalog, VD_ID), ==, "installed");
  screenshot (&f, GTK_WIDGET (f.window), "catalog-installed");

  /* Back in the library: the downloaded course is there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for_ms (library_has_two, f.window, SYNC_TIMEOUT_MS));

  /* A hub that hangs: the indicator spins, the popover says where the sync is. */
  record_lesson (&f);
  {
    guint16 port = sync_ui_url_port (f.hub->url);
    SyncUiSilent *silent;
    guint runs = 0;
    gulong handler = g_signal_connect_swapped (monitor, "sync-finished",
                                               G_CALLBACK (count_runs_cb), &runs);

    sync_ui_hub_stop (g_steal_pointer (&f.hub));
    silent = sync_ui_silent_start (port);
    sy_sync_monitor_sync_now (monitor);
    wait_state (monitor, SY_SYNC_STATE_SYNCING, G_MAXUINT);
    g_assert_false (gtk_widget_is_sensitive (_sy_sync_indicator_get_sync_now_button (indicator)));
    gtk_menu_button_popup (GTK_MENU_BUTTON (ui_test_find_named (GTK_WIDGET (indicator), "sync-button")));
    g_assert_true (ui_test_wait_for (popover_shown, popover));
    ui_test_spin (200);
    screenshot (&f, GTK_WIDGET (f.window), "syncing");
    screenshot (&f, GTK_WIDGET (popover), "popover-syncing");
    gtk_popover_popdown (popover);

    /* The hub is gone: the error in plain words, the records safe. */
    sync_ui_silent_stop (silent);
    g_assert_true (ui_test_wait_for_ms (counted_one, &runs, SYNC_TIMEOUT_MS));
    g_signal_handler_disconnect (monitor, handler);
  }
  sy_sync_monitor_sync_now (monitor);
  wait_state (monitor, SY_SYNC_STATE_ERROR, 1);
  g_assert_true (g_error_matches (sy_sync_monitor_get_last_error (monitor), SY_SYNC_ERROR,
                                  SY_SYNC_ERROR_NETWORK));
  g_assert_cmpuint (sy_sync_monitor_get_waiting (monitor), ==, 1);
  /* a retry after a minute or so: half of it, plus up to as much again at random */
  g_assert_cmpuint (sy_sync_monitor_get_next_delay (monitor), >=, 30);
  g_assert_cmpuint (sy_sync_monitor_get_next_delay (monitor), <=, 60);
  {
    g_autofree char *friendly = sy_sync_describe_error (sy_sync_monitor_get_last_error (monitor));

    g_assert_cmpstr (_sy_sync_indicator_get_error (indicator), ==, friendly);
  }
  gtk_menu_button_popup (GTK_MENU_BUTTON (ui_test_find_named (GTK_WIDGET (indicator), "sync-button")));
  g_assert_true (ui_test_wait_for (popover_shown, popover));
  ui_test_spin (100);
  screenshot (&f, GTK_WIDGET (f.window), "error");
  screenshot (&f, GTK_WIDGET (popover), "popover-error");
  gtk_popover_popdown (popover);

  /* No network at all: Offline. */
  sync_ui_network_set (f.network, FALSE, FALSE);
  wait_state (monitor, SY_SYNC_STATE_OFFLINE, 1);
  g_assert_cmpstr (_sy_sync_indicator_get_label (indicator), ==, _("Offline"));
  screenshot (&f, GTK_WIDGET (f.window), "offline");

  /* The network comes back: a sync starts at once (and fails: the hub is still gone). */
  {
    guint runs = 0;
    gulong handler = g_signal_connect_swapped (monitor, "sync-finished",
                                               G_CALLBACK (count_runs_cb), &runs);

    sync_ui_network_set (f.network, TRUE, FALSE);
    g_assert_true (ui_test_wait_for_ms (counted_one, &runs, SYNC_TIMEOUT_MS));
    g_signal_handler_disconnect (monitor, handler);
    wait_state (monitor, SY_SYNC_STATE_ERROR, 1);
  }

  /* The catalog of a hub that is gone: the same words */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-catalog", NULL));
  g_assert_true (ui_test_wait_for_ms (catalog_settled, catalog, SYNC_TIMEOUT_MS));
  g_assert_cmpstr (_sy_catalog_page_get_view (catalog), ==, "error");
  {
    g_autofree char *friendly = sy_sync_describe_error (sy_sync_monitor_get_last_error (monitor));

    g_assert_cmpstr (_sy_catalog_page_get_error (catalog), ==, friendly);
  }
  ui_test_wait_settled (f.window);
  screenshot (&f, GTK_WIDGET (f.window), "catalog-error");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.go-back", NULL));
  ui_test_wait_settled (f.window);

  /* Forgetting the hub, after a confirmation */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.preferences", NULL));
  g_assert_true (ui_test_wait_for (preferences_shown, f.window));
  prefs = _sy_window_get_preferences_window (f.window);
  g_assert_cmpstr (_sy_preferences_window_get_enrolled (prefs), ==, ORG);
  click (_sy_preferences_window_get_forget_button (prefs));
  ui_test_spin (20);
  g_assert_nonnull (_sy_preferences_window_get_forget_dialog (prefs));
  ui_test_spin (300);
  screenshot (&f, GTK_WIDGET (_sy_preferences_window_get_forget_dialog (prefs)), "forget");
  adw_message_dialog_response (_sy_preferences_window_get_forget_dialog (prefs), "forget");
  wait_state (monitor, SY_SYNC_STATE_NOT_SET_UP, G_MAXUINT);
  g_assert_null (_sy_preferences_window_get_enrolled (prefs));
  g_assert_cmpstr (_sy_sync_indicator_get_label (indicator), ==, _("Set Up Sync"));
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* the end */
  ui_test_wait_settled (f.window);
  g_object_add_weak_pointer (G_OBJECT (f.window), (gpointer *) &f.window);
  gtk_window_destroy (GTK_WINDOW (f.window));
  if (!ui_test_wait_for (window_gone, &f.window))
    g_error ("the window was not finalized: %u references left",
             G_OBJECT (f.window)->ref_count);
  ui_test_spin (50);
  g_clear_object (&f.learner);
  g_clear_object (&f.network);
  g_clear_object (&f.store);
  ui_test_remove_data_dir (f.data_dir);
  sync_ui_hub_stop (f.hub);

  if (zh)
    g_unsetenv ("LANGUAGE");
}

/* A library with no courses offers the hub's; a PC with no hub says how to get one. */
static void
test_empty_library (void)
{
  g_autoptr(SyStore) store = NULL;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(GError) error = NULL;
  char *data_dir = ui_test_make_data_dir ("shuyuan-sync-ui-XXXXXX");
  SyWindow *window;
  SyCatalogPage *catalog;
  GtkWidget *button;
  GtkWidget *tile;

  store = ui_test_open_store (data_dir);
  learner = sy_store_add_learner_full (store, "Amina", SY_ROLE_LEARNER, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  window = sy_application_open_data_dir (app, data_dir);
  ui_test_wait_settled (window);
  ui_test_resize_window (window, 1024, 600);
  tile = _sy_learner_chooser_get_tile (_sy_window_get_chooser (window), sy_learner_get_uuid (learner));
  g_assert_true (gtk_widget_activate (tile));
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, window));
  g_assert_true (ui_test_view_is (window, "empty"));

  button = ui_test_find_named (GTK_WIDGET (window), "empty-get-courses");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  ui_test_save_screenshot (GTK_WIDGET (window), "sync-empty-library.png");
  click (button);
  catalog = _sy_window_get_catalog_page (window);
  g_assert_true (ui_test_view_is (window, "catalog"));
  g_assert_cmpstr (_sy_catalog_page_get_view (catalog), ==, "not-enrolled");
  ui_test_wait_settled (window);
  ui_test_save_screenshot (GTK_WIDGET (window), "sync-catalog-not-enrolled.png");

  /* Back (Escape, Alt+Left) to the library */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (ui_test_view_is (window, "empty"));

  ui_test_wait_settled (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (ui_test_wait_for (window_gone, &window));
  ui_test_spin (50);
  g_clear_object (&store);
  ui_test_remove_data_dir (data_dir);
}

static void
test_flow (void)
{
  run_flow (FALSE);
}

static void
test_screenshots_zh (void)
{
  run_flow (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* The engine's retries inside a run start after 5 ms, not a second. */
  g_setenv ("SHUYUAN_SYNC_BACKOFF_MS", "5", TRUE);
  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  app = ui_test_register_app ();

  g_test_add_func ("/sync-ui/empty-library", test_empty_library);
  g_test_add_func ("/sync-ui/flow", test_flow);
  g_test_add_func ("/sync-ui/screenshots/zh-CN", test_screenshots_zh);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
