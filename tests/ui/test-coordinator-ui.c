/* test-coordinator-ui.c — a coordinator's records and USB bundles, driven in-process under
 * Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two learners study the sample courses (recorded through the core API, as the lesson and
 * quiz views record them); a coordinator with a PIN signs in and opens Records: the totals
 * are the store's, a filter changes them, a bad date is refused, the CSV export starts with
 * the UTF-8 BOM, voiding a completion (confirmed in the dialog) takes it out of the totals.
 * Then the records go to a second PC in a bundle through the menu's actions: a teacher
 * exports it there, another imports it on the other data folder, and both agree. File
 * choosers cannot be driven here, so the tests hand their file to the view and window.
 * Two refused records (marked as a sync marks them) show with their reasons. Thousands of
 * rows (records of other PCs imported at once) load without stopping the window.
 * Screenshots in C and zh_CN: the completions, a summary per course, the survey charts,
 * the refused records, the void dialog, the bundle's options and a damaged bundle's error.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "sy-application.h"
#include "sy-bundle.h"
#include "sy-coordinator-view-private.h"
#include "sy-report.h"
#include "sy-store.h"
#include "sy-sync-private.h"
#include "sy-window-private.h"
#include "test-util.h"
#include "ui-test-util.h"

#define RETAIL "retail-bookkeeping-pricing"
#define HYGIENE "vd-hand-hygiene-cold-chain"
#define SURVEY "income-life-survey"

static SyApplication *app;

static const char * const sample_dirs[] = {
  "retail-bookkeeping",
  "village-doctor-hygiene",
  NULL
};

static gboolean
window_gone (gpointer data)
{
  return *(SyWindow **) data == NULL;
}

static void
close_window (SyWindow **window)
{
  ui_test_wait_settled (*window);
  g_object_add_weak_pointer (G_OBJECT (*window), (gpointer *) window);
  gtk_window_destroy (GTK_WINDOW (*window));
  if (!ui_test_wait_for (window_gone, window))
    g_error ("the window was not finalized: %u references left",
             G_OBJECT (*window)->ref_count);
}

static SyLearner *
add_learner (SyStore    *store,
             const char *name,
             SyRole      role,
             const char *pin)
{
  g_autoptr(GError) error = NULL;
  SyLearner *learner = sy_store_add_learner_full (store, name, role, pin, NULL, NULL, &error);

  g_assert_no_error (error);
  return learner;
}

/* 李明 completes the retail course, the survey before and after; 王芳 completes the
 * hygiene course and answers the retail survey once (that course stays in progress). */
static void
record_studies (SyStore   *store,
                SyLearner *li,
                SyLearner *wang)
{
  const char *retail_lessons[] = { "cash-book", "daily-close", "stock-count", "cost-plus-markup",
                                   "margin-vs-markup" };
  const char *hygiene_lessons[] = { "five-moments", "how-to-clean-hands", "cold-chain-basics",
                                    "vvm-shake-test", "power-failure" };

  test_take_survey (store, sy_learner_get_uuid (li), RETAIL, SURVEY,
                    "life-satisfaction", "2", "income-sources", "shop[,]farming",
                    "monthly-income", "1500", "what-would-help", "更多顾客", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (retail_lessons); i++)
    g_free (test_record (store, li, RETAIL, retail_lessons[i],
                         SY_ITEM_LESSON, SY_VERB_COMPLETED, 900, -1));
  g_free (test_record (store, li, RETAIL, "bookkeeping-pricing-quiz",
                       SY_ITEM_QUIZ, SY_VERB_PASSED, 300, 0.9));
  test_take_survey (store, sy_learner_get_uuid (li), RETAIL, SURVEY,
                    "life-satisfaction", "4", "income-sources", "shop",
                    "monthly-income", "3000", "what-would-help", "小额贷款", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (hygiene_lessons); i++)
    g_free (test_record (store, wang, HYGIENE, hygiene_lessons[i],
                         SY_ITEM_LESSON, SY_VERB_COMPLETED, 600, -1));
  g_free (test_record (store, wang, HYGIENE, "hand-hygiene-quiz",
                       SY_ITEM_QUIZ, SY_VERB_PASSED, 200, 1.0));
  g_free (test_record (store, wang, HYGIENE, "cold-chain-quiz",
                       SY_ITEM_QUIZ, SY_VERB_PASSED, 200, 0.8));
  test_take_survey (store, sy_learner_get_uuid (wang), RETAIL, SURVEY,
                    "life-satisfaction", "3", "income-sources", "migrant",
                    "monthly-income", "2000", "what-would-help", "更多顾客", NULL);
}

static SyCompletionReport *
store_report (SyStore *store)
{
  g_autoptr(GError) error = NULL;
  SyCompletionReport *r = sy_store_report_completions (store, NULL, NULL, &error);

  g_assert_no_error (error);
  return r;
}

/* ---- signing in ---- */

/* ---- waiting on the view ---- */

static gboolean
view_idle (gpointer data)
{
  SyCoordinatorView *view = data;

  return !_sy_coordinator_view_is_busy (view) && _sy_coordinator_view_get_report (view) != NULL;
}

static void
wait_view (SyCoordinatorView *view)
{
  ui_test_spin (50);
  if (!ui_test_wait_for (view_idle, view))
    g_error ("the records view stayed busy");
  ui_test_wait_frames (GTK_WIDGET (view));
}

static gboolean
view_toast_is (gpointer data)
{
  SyCoordinatorView *view = data;

  return !_sy_coordinator_view_is_busy (view) &&
         g_strcmp0 (_sy_coordinator_view_get_last_toast (view),
                    g_object_get_data (G_OBJECT (view), "toast")) == 0;
}

static gboolean
view_toast_has (gpointer data)
{
  SyCoordinatorView *view = data;
  const char *toast = _sy_coordinator_view_get_last_toast (view);

  return !_sy_coordinator_view_is_busy (view) && toast != NULL &&
         strstr (toast, g_object_get_data (G_OBJECT (view), "toast")) != NULL;
}

static gboolean
window_toast_changed (gpointer data)
{
  SyWindow *window = data;

  return !_sy_window_is_busy (window) &&
         g_strcmp0 (_sy_window_get_last_toast (window),
                    g_object_get_data (G_OBJECT (window), "old-toast")) != 0;
}

static void
wait_window_toast (SyWindow *window)
{
  if (!ui_test_wait_for (window_toast_changed, window))
    g_error ("no toast came (the last: “%s”)", _sy_window_get_last_toast (window));
}

static gboolean
dialog_shown (gpointer data)
{
  GtkWindow **dialog = data;

  return *dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (*dialog));
}

static gboolean
bundle_error_shown (gpointer data)
{
  GtkWindow *dialog = _sy_window_get_bundle_dialog (data);

  return !_sy_window_is_busy (data) && dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static void
activate (GtkWidget  *widget,
          const char *action)
{
  if (!gtk_widget_activate_action (widget, action, NULL))
    g_error ("the action %s is not enabled", action);
}

static gboolean
has_label_containing (GtkWidget  *root,
                      const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  ui_test_collect (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_label (labels->pdata[i]), text) != NULL)
      return TRUE;
  return FALSE;
}

static const char *
total_label (SyCoordinatorView *view,
             guint              index)
{
  /* the totals are the first title-3 labels of the view, in order */
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint n = 0;

  ui_test_collect (GTK_WIDGET (view), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "title-3") && n++ == index)
      return gtk_label_get_label (labels->pdata[i]);
  g_assert_not_reached ();
}

static void
shot (SyWindow   *window,
      GtkWidget  *widget,
      gboolean    zh,
      const char *name)
{
  g_autofree char *file = g_strdup_printf ("coordinator-%s-%s.png", name, zh ? "zh_CN" : "C");

  ui_test_spin (300);
  ui_test_wait_frames (widget);
  ui_test_save_screenshot (widget, file);
}

/* ---- the flow ---- */

static void
run_coordinator (gboolean zh)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *other_dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *bundle_path = NULL;
  g_autoptr(SyStore) store = NULL;
  g_autoptr(SyLearner) li = NULL;
  g_autoptr(SyLearner) wang = NULL;
  g_autoptr(SyLearner) coordinator = NULL;
  g_autoptr(SyLearner) teacher = NULL;
  g_autoptr(SyCompletionReport) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  gsize csv_len = 0;
  SyWindow *window;
  SyCoordinatorView *view;
  const SyCompletionReport *shown;
  GtkSelectionModel *model;
  GtkWindow *dialog;
  guint target = GTK_INVALID_LIST_POSITION;
  g_autofree char *quarantined = NULL;

  if (zh)
    g_setenv ("LANGUAGE", "zh_CN", TRUE);

  data_dir = ui_test_make_data_dir ("shuyuan-coordinator-XXXXXX");
  tmp = g_dir_make_tmp ("shuyuan-coordinator-files-XXXXXX", &error);
  g_assert_no_error (error);
  store = ui_test_open_store (data_dir);
  ui_test_import_samples (store, sample_dirs);
  li = add_learner (store, "李明", SY_ROLE_LEARNER, NULL);
  wang = add_learner (store, "王芳", SY_ROLE_LEARNER, NULL);
  coordinator = add_learner (store, "张协调员", SY_ROLE_COORDINATOR, "1357");
  record_studies (store, li, wang);

  /* two records the hub refused (as a sync marks them): another with the same id, and an
   * invalid one */
  {
    g_autofree char *a = test_record (store, wang, RETAIL, "cash-book", SY_ITEM_LESSON,
                                    SY_VERB_PROGRESSED, 300, -1);
    g_autofree char *b = test_record (store, li, HYGIENE, "five-moments", SY_ITEM_LESSON,
                                    SY_VERB_PROGRESSED, 200, -1);

    g_assert_true (_sy_store_outbox_quarantine (store, a, 409, "Conflict: statement id already used", &error));
    g_assert_no_error (error);
    g_assert_true (_sy_store_outbox_quarantine (store, b, 400, "timestamp is in the future", &error));
    g_assert_no_error (error);
    quarantined = g_steal_pointer (&a);
  }
  expected = store_report (store);
  g_assert_cmpuint (expected->n_completions, ==, 2);

  window = sy_application_open_data_dir (app, data_dir);
  ui_test_wait_settled (window);
  ui_test_resize_window (window, 1024, 600);

  /* Learners and teachers have no Records button; the coordinator, with the PIN, has. */
  ui_test_sign_in_with_pin (window, coordinator, "1357");
  g_assert_true (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (window), "records-button")));
  activate (GTK_WIDGET (window), "win.show-records");
  g_assert_cmpstr (_sy_window_get_view (window), ==, "records");
  view = _sy_window_get_coordinator_view (window);
  wait_view (view);

  /* the totals are the store's */
  shown = _sy_coordinator_view_get_report (view);
  g_assert_cmpuint (shown->n_completions, ==, 2);
  g_assert_cmpuint (shown->n_passes, ==, 2);
  g_assert_cmpuint (shown->n_learners, ==, 2);
  g_assert_cmpfloat (shown->credits, ==, expected->credits);
  g_assert_cmpfloat (shown->class_hours, ==, expected->class_hours);
  g_assert_cmpuint (shown->rows->len, ==, expected->rows->len);
  g_assert_cmpstr (total_label (view, 0), ==, "2");
  g_assert_cmpstr (total_label (view, 2), ==, "2");
  g_assert_cmpstr (total_label (view, 3), ==, "2");
  g_assert_cmpstr (total_label (view, 4), ==, "2");
  model = gtk_column_view_get_model (_sy_coordinator_view_get_column_view (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected->rows->len);
  ui_test_assert_fits (window, 1024, 600);
  shot (window, GTK_WIDGET (window), zh, "completions");

  /* a filter: only the courses in progress */
  gtk_drop_down_set_selected (_sy_coordinator_view_get_status_drop (view), 2);
  wait_view (view);
  shown = _sy_coordinator_view_get_report (view);
  g_assert_cmpuint (shown->n_completions, ==, 0);
  g_assert_cmpuint (shown->rows->len, ==, 2);   /* 王芳 in retail, 李明 in hygiene */
  g_assert_cmpstr (total_label (view, 0), ==, "0");
  gtk_drop_down_set_selected (_sy_coordinator_view_get_status_drop (view), 0);
  wait_view (view);
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->n_completions, ==, 2);

  /* summed per learner, then per course */
  gtk_drop_down_set_selected (_sy_coordinator_view_get_group_drop (view), 1);
  ui_test_wait_frames (GTK_WIDGET (view));
  g_assert_cmpuint (g_list_model_get_n_items (_sy_coordinator_view_get_groups (view)), ==, 2);
  gtk_drop_down_set_selected (_sy_coordinator_view_get_group_drop (view), 2);
  ui_test_wait_frames (GTK_WIDGET (view));
  {
    GListModel *groups = _sy_coordinator_view_get_groups (view);
    guint sum = 0;

    g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 2);
    for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
      {
        g_autoptr(GObject) g = g_list_model_get_item (groups, i);
        g_assert_cmpuint (_sy_coordinator_group_get_completions (g), ==, 1);
        sum += _sy_coordinator_group_get_completions (g);
      }
    g_assert_cmpuint (sum, ==, 2);
  }
  ui_test_assert_fits (window, 1024, 600);
  shot (window, GTK_WIDGET (window), zh, "per-course");
  gtk_drop_down_set_selected (_sy_coordinator_view_get_group_drop (view), 0);
  ui_test_wait_frames (GTK_WIDGET (view));

  /* dates: a wrong one is refused and the report stays; a later one empties it */
  gtk_editable_set_text (_sy_coordinator_view_get_from_entry (view), "2026-13-01");
  wait_view (view);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sy_coordinator_view_get_from_entry (view)), "error"));
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->n_completions, ==, 2);
  gtk_editable_set_text (_sy_coordinator_view_get_from_entry (view), "2999-01-01");
  wait_view (view);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (_sy_coordinator_view_get_from_entry (view)), "error"));
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->n_completions, ==, 0);
  gtk_editable_set_text (_sy_coordinator_view_get_from_entry (view), "");
  wait_view (view);
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->n_completions, ==, 2);

  /* CSV: what Excel and WPS open with Chinese intact starts with the UTF-8 BOM */
  csv_path = g_build_filename (tmp, "completions.csv", NULL);
  _sy_coordinator_view_set_chooser_file (view, csv_path);
  /* "Saved “completions.csv”" */
  g_object_set_data_full (G_OBJECT (view), "toast", g_strdup ("completions.csv"), g_free);
  activate (GTK_WIDGET (view), "coordinator.export-csv");
  g_assert_true (ui_test_wait_for (view_toast_has, view));
  g_assert_true (g_file_get_contents (csv_path, &csv, &csv_len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (csv_len, >, 3);
  g_assert_cmpmem (csv, 3, "\xef\xbb\xbf", 3);
  g_assert_nonnull (strstr (csv, "李明"));

  /* Excel, and the certificates of the rows shown (the filters' selection) */
  {
    g_autofree char *xlsx = g_build_filename (tmp, "records.xlsx", NULL);
    g_autofree char *folder = g_build_filename (tmp, "certificates", NULL);
    g_autoptr(GDir) dir = NULL;
    guint n_pdf = 0;
    const char *name;

    _sy_coordinator_view_set_chooser_file (view, xlsx);
    g_object_set_data_full (G_OBJECT (view), "toast", g_strdup ("records.xlsx"), g_free);
    activate (GTK_WIDGET (view), "coordinator.export-xlsx");
    ui_test_spin (50);
    g_assert_true (ui_test_wait_for (view_toast_has, view));
    g_assert_true (g_file_test (xlsx, G_FILE_TEST_IS_REGULAR));
    g_remove (xlsx);

    g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
    _sy_coordinator_view_set_chooser_file (view, folder);
    activate (GTK_WIDGET (view), "coordinator.certificates");
    g_assert_true (_sy_coordinator_view_is_busy (view));
    wait_view (view);
    dir = g_dir_open (folder, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (folder, name, NULL);

        n_pdf += g_str_has_suffix (name, ".pdf");
        g_remove (path);
      }
    g_assert_cmpuint (n_pdf, ==, 2);   /* the two completions */
    g_rmdir (folder);
  }

  /* the survey charts */
  _sy_coordinator_view_show_page (view, "surveys");
  g_assert_nonnull (_sy_coordinator_view_get_surveys (view));
  g_assert_cmpuint (_sy_coordinator_view_get_surveys (view)->len, ==, 1);
  g_assert_cmpuint (((SySurveyReport *) g_ptr_array_index (_sy_coordinator_view_get_surveys (view), 0))->n_repeated, ==, 1);
  shot (window, GTK_WIDGET (window), zh, "surveys");
  /* the refused records, with their reasons; voiding one */
  _sy_coordinator_view_show_page (view, "quarantine");
  g_assert_nonnull (_sy_coordinator_view_get_quarantine (view));
  g_assert_cmpuint (_sy_coordinator_view_get_quarantine (view)->len, ==, 2);
  if (!zh)
    {
      g_assert_true (has_label_containing (GTK_WIDGET (view), "The hub already has a different record with the same id."));
      g_assert_true (has_label_containing (GTK_WIDGET (view), "The hub found this record invalid."));
    }
  shot (window, GTK_WIDGET (window), zh, "refused");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "coordinator.void", "s", quarantined));
  dialog = _sy_coordinator_view_get_dialog (view);
  g_assert_nonnull (dialog);
  g_assert_true (ui_test_wait_for (dialog_shown, &dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "void");
  wait_view (view);
  _sy_coordinator_view_show_page (view, "completions");

  /* voiding 李明's completion, confirmed */
  shown = _sy_coordinator_view_get_report (view);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      /* the table is sorted as the report by default: row i is the report's row i */
      SyCompletionRow *row = g_ptr_array_index (shown->rows, i);

      if (g_str_equal (row->learner_uuid, sy_learner_get_uuid (li)) &&
          g_str_equal (row->course_id, RETAIL))
        target = i;
    }
  g_assert_cmpuint (target, !=, GTK_INVALID_LIST_POSITION);
  /* nothing selected: nothing to void */
  g_assert_false (gtk_widget_is_sensitive (ui_test_find_named (GTK_WIDGET (view), "void-button")));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (model), target);
  activate (GTK_WIDGET (view), "coordinator.void-selected");
  dialog = _sy_coordinator_view_get_dialog (view);
  g_assert_nonnull (dialog);
  g_assert_true (ui_test_wait_for (dialog_shown, &dialog));
  shot (window, GTK_WIDGET (dialog), zh, "void-dialog");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "void");
  g_object_set_data_full (G_OBJECT (view), "toast",
                          g_strdup (zh ? NULL : "Record voided. Progress and totals are recomputed."),
                          g_free);
  if (!zh)
    g_assert_true (ui_test_wait_for (view_toast_is, view));
  wait_view (view);
  shown = _sy_coordinator_view_get_report (view);
  g_assert_cmpuint (shown->n_completions, ==, 1);
  g_assert_cmpuint (shown->n_passes, ==, 1);
  g_assert_cmpstr (total_label (view, 0), ==, "1");
  {
    g_autoptr(SyCompletionReport) after = store_report (store);
    g_assert_cmpuint (after->n_completions, ==, 1);
  }

  /* Bundles: the menu's actions are the coordinator's (and a teacher's), not a learner's */
  activate (GTK_WIDGET (window), "win.go-back");
  g_assert_true (ui_test_wait_for ((UiTestPredicate) ui_test_window_settled, window));
  bundle_path = g_build_filename (tmp, "records.sybundle", NULL);
  activate (GTK_WIDGET (window), "win.export-bundle");
  dialog = _sy_window_get_bundle_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (ui_test_wait_for (dialog_shown, &dialog));
  shot (window, GTK_WIDGET (dialog), zh, "bundle-export");
  _sy_window_set_bundle_file (window, bundle_path);
  g_object_set_data_full (G_OBJECT (window), "old-toast", g_strdup (_sy_window_get_last_toast (window)), g_free);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "export");
  wait_window_toast (window);
  g_assert_true (g_file_test (bundle_path, G_FILE_TEST_IS_REGULAR));
  close_window (&window);

  /* the second PC: a teacher there imports the bundle through the menu */
  other_dir = ui_test_make_data_dir ("shuyuan-coordinator-other-XXXXXX");
  {
    g_autoptr(SyStore) other = ui_test_open_store (other_dir);
    g_autoptr(SyCompletionReport) before = NULL;
    g_autoptr(SyCompletionReport) after = NULL;
    g_autoptr(SyCompletionReport) here = store_report (store);

    ui_test_import_samples (other, sample_dirs);
    teacher = add_learner (other, "刘老师", SY_ROLE_TEACHER, "2468");
    before = store_report (other);
    g_assert_cmpuint (before->n_completions, ==, 0);

    window = sy_application_open_data_dir (app, other_dir);
    ui_test_wait_settled (window);
    ui_test_sign_in_with_pin (window, teacher, "2468");
    g_assert_false (gtk_widget_get_visible (ui_test_find_named (GTK_WIDGET (window), "records-button")));
    _sy_window_set_bundle_file (window, bundle_path);
    g_object_set_data_full (G_OBJECT (window), "old-toast", g_strdup (_sy_window_get_last_toast (window)), g_free);
    activate (GTK_WIDGET (window), "win.import-bundle");
    wait_window_toast (window);
    g_assert_null (_sy_window_get_bundle_dialog (window));
    after = store_report (other);
    g_assert_cmpuint (after->n_completions, ==, here->n_completions);
    g_assert_cmpuint (after->n_passes, ==, here->n_passes);
    g_assert_cmpfloat (after->credits, ==, here->credits);

    /* a damaged bundle: refused with a dialog, nothing merged */
    {
      g_autofree char *bad = g_build_filename (tmp, "bad.sybundle", NULL);
      g_autofree char *data = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (bundle_path, &data, &len, NULL));
      g_assert_true (g_file_set_contents (bad, data, len / 2, NULL));
      _sy_window_set_bundle_file (window, bad);
      activate (GTK_WIDGET (window), "win.import-bundle");
      g_assert_true (ui_test_wait_for (bundle_error_shown, window));
      dialog = _sy_window_get_bundle_dialog (window);
      shot (window, GTK_WIDGET (dialog), zh, "bundle-error");
      gtk_window_destroy (dialog);
    }
    close_window (&window);
  }

  if (zh)
    g_unsetenv ("LANGUAGE");
  g_ptr_array_unref (sy_store_list_learners (store, NULL, NULL));
  g_clear_object (&store);
  ui_test_remove_data_dir (g_steal_pointer (&data_dir));
  ui_test_remove_data_dir (g_steal_pointer (&other_dir));
  g_remove (csv_path);
  g_remove (bundle_path);
  {
    g_autofree char *bad = g_build_filename (tmp, "bad.sybundle", NULL);
    g_remove (bad);
  }
  g_rmdir (tmp);
}

/* Thousands of rows: the report is made off the main loop and the table makes only the
 * rows on screen, so the window keeps answering. */
typedef struct
{
  gint64 last;
  gint64 worst;
} Stall;

static gboolean
stall_tick (gpointer data)
{
  Stall *st = data;
  gint64 now = g_get_monotonic_time ();

  if (st->last != 0)
    st->worst = MAX (st->worst, now - st->last);
  st->last = now;
  return G_SOURCE_CONTINUE;
}

static void
test_many_rows (void)
{
  g_autofree char *data_dir = ui_test_make_data_dir ("shuyuan-coordinator-many-XXXXXX");
  g_autoptr(SyStore) store = ui_test_open_store (data_dir);
  g_autoptr(SyLearner) coordinator = NULL;
  SyWindow *window;
  SyCoordinatorView *view;
  Stall st = { 0 };
  guint tick;
  gint64 start;
  const guint n = 2500;

  ui_test_import_samples (store, sample_dirs);
  coordinator = add_learner (store, "张协调员", SY_ROLE_COORDINATOR, "1357");

  /* Records of learners of other PCs, as a sync pulls them: one learner's two records
   * made here, then copied for each learner with new ids, and imported at once (one
   * transaction, not thousands). */
  {
    g_autofree char *scratch_dir = ui_test_make_data_dir ("shuyuan-coordinator-scratch-XXXXXX");
    g_autoptr(SyStore) scratch = ui_test_open_store (scratch_dir);
    g_autoptr(SyLearner) model = add_learner (scratch, "学员模板", SY_ROLE_LEARNER, NULL);
    g_autofree char *id1 = test_record (scratch, model, RETAIL, "cash-book", SY_ITEM_LESSON, SY_VERB_COMPLETED, 600, -1);
    g_autofree char *id2 = test_record (scratch, model, HYGIENE, "five-moments", SY_ITEM_LESSON, SY_VERB_COMPLETED, 600, -1);
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GString) lines = g_string_new (NULL);
    g_autoptr(GInputStream) in = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    guint n_added = 0;

    g_assert_true (sy_store_export_statements (scratch, NULL, out, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
    g_output_stream_close (out, NULL, NULL);
    text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *uuid = g_uuid_string_random ();
        g_autofree char *new1 = g_uuid_string_random ();
        g_autofree char *new2 = g_uuid_string_random ();
        g_autofree char *name = g_strdup_printf ("学员%04u", i);
        g_auto(GStrv) a = g_strsplit (text, sy_learner_get_uuid (model), -1);
        g_autofree char *t1 = g_strjoinv (uuid, a);
        g_auto(GStrv) b = g_strsplit (t1, id1, -1);
        g_autofree char *t2 = g_strjoinv (new1, b);
        g_auto(GStrv) c = g_strsplit (t2, id2, -1);
        g_autofree char *t3 = g_strjoinv (new2, c);
        g_auto(GStrv) d = g_strsplit (t3, "学员模板", -1);
        g_autofree char *t4 = g_strjoinv (name, d);

        g_string_append (lines, t4);
      }
    in = g_memory_input_stream_new_from_data (g_string_free (g_steal_pointer (&lines), FALSE), -1, g_free);
    g_assert_true (sy_store_import_statements (store, in, &n_added, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_added, ==, 2 * n);
    g_clear_object (&scratch);
    ui_test_remove_data_dir (g_steal_pointer (&scratch_dir));
  }

  window = sy_application_open_data_dir (app, data_dir);
  ui_test_wait_settled (window);
  ui_test_resize_window (window, 1024, 600);
  ui_test_sign_in_with_pin (window, coordinator, "1357");
  view = _sy_window_get_coordinator_view (window);

  tick = g_timeout_add (10, stall_tick, &st);
  start = g_get_monotonic_time ();
  activate (GTK_WIDGET (window), "win.show-records");
  wait_view (view);
  g_source_remove (tick);
  g_test_message ("%u rows in %.0f ms; the longest the main loop waited: %.0f ms",
                  _sy_coordinator_view_get_report (view)->rows->len,
                  (g_get_monotonic_time () - start) / 1000.0, st.worst / 1000.0);
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->rows->len, ==, 2 * n);
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->n_learners, ==, n);
  /* a generous bound for a slow CI machine: no frozen window */
  g_assert_cmpint (st.worst, <, 1500 * 1000);

  /* and when a filter takes them all away */
  st.last = st.worst = 0;
  tick = g_timeout_add (10, stall_tick, &st);
  gtk_drop_down_set_selected (_sy_coordinator_view_get_status_drop (view), 1);
  wait_view (view);
  g_source_remove (tick);
  g_test_message ("filtered to %u rows; the longest the main loop waited: %.0f ms",
                  _sy_coordinator_view_get_report (view)->rows->len, st.worst / 1000.0);
  g_assert_cmpuint (_sy_coordinator_view_get_report (view)->rows->len, ==, 0);
  g_assert_cmpint (st.worst, <, 1500 * 1000);

  close_window (&window);
  g_ptr_array_unref (sy_store_list_learners (store, NULL, NULL));
  g_clear_object (&store);
  ui_test_remove_data_dir (g_steal_pointer (&data_dir));
}

static void
test_coordinator (void)
{
  run_coordinator (FALSE);
}

static void
test_screenshots (void)
{
  run_coordinator (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  app = ui_test_register_app ();

  g_test_add_func ("/coordinator-ui/records/flow", test_coordinator);
  g_test_add_func ("/coordinator-ui/screenshots/zh-CN", test_screenshots);
  g_test_add_func ("/coordinator-ui/records/many-rows", test_many_rows);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
