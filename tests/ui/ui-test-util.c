/* ui-test-util.c — helpers the UI test programs share
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests wait by iterating the main loop until a condition holds, with a deadline,
 * never by sleeping; they fill their data folders through the core API before any
 * window exists.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "sy-util.h"
#include "sy-window-private.h"
#include "ui-test-util.h"

/* ---- main loop ---- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * ui_test_wait_for_ms:
 *
 * Waits until @predicate returns %TRUE for @data, or @timeout_ms have passed, iterating
 * the default main context meanwhile (woken every 10 ms, so a predicate on time or on
 * state no source announces is seen too). Returns the predicate's last answer.
 */
gboolean
ui_test_wait_for_ms (UiTestPredicate predicate,
                     gpointer        data,
                     guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint tick = g_timeout_add (10, wake_cb, NULL);

  while (!predicate (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return predicate (data);
}

/**
 * ui_test_wait_for:
 *
 * Waits until @predicate holds for @data, for at most %UI_TEST_TIMEOUT_MS.
 */
gboolean
ui_test_wait_for (UiTestPredicate predicate,
                  gpointer        data)
{
  return ui_test_wait_for_ms (predicate, data, UI_TEST_TIMEOUT_MS);
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/**
 * ui_test_spin:
 *
 * Waits @ms milliseconds while running the main loop: only to let an animation (a
 * toast, a dialog, a CSS transition) finish.
 */
void
ui_test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  ui_test_wait_for_ms (time_passed, &until, ms + UI_TEST_TIMEOUT_MS);
}

static gboolean
frame_drawn_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
two_frames (gpointer data)
{
  return *(guint *) data >= 2;
}

/**
 * ui_test_wait_frames:
 *
 * Waits until @widget's frame clock has drawn two frames after a redraw was queued: then
 * what is on screen is what is in the widgets.
 */
void
ui_test_wait_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint tick;

  tick = gtk_widget_add_tick_callback (widget, frame_drawn_cb, &frames, NULL);
  gtk_widget_queue_draw (widget);
  g_assert_true (ui_test_wait_for (two_frames, &frames));
  gtk_widget_remove_tick_callback (widget, tick);
}

/* ---- windows ---- */

static gboolean
stack_transition_running (GtkWidget *root)
{
  if (GTK_IS_STACK (root) && gtk_stack_get_transition_running (GTK_STACK (root)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (stack_transition_running (child))
      return TRUE;

  return FALSE;
}

/**
 * ui_test_window_settled:
 *
 * A predicate for ui_test_wait_for(): the #SyWindow @data is mapped, not busy, and no
 * leaflet or stack transition in it is running.
 */
gboolean
ui_test_window_settled (gpointer data)
{
  SyWindow *window = data;
  AdwLeaflet *leaflet;

  if (_sy_window_is_busy (window) || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;

  leaflet = ADW_LEAFLET (gtk_widget_get_ancestor (GTK_WIDGET (_sy_window_get_course_page (window)),
                                                  ADW_TYPE_LEAFLET));
  if (adw_leaflet_get_child_transition_running (leaflet))
    return FALSE;

  return !stack_transition_running (GTK_WIDGET (window));
}

/**
 * ui_test_wait_settled:
 *
 * Waits until @window has settled (see ui_test_window_settled()); fails the test if it
 * does not within the deadline.
 */
void
ui_test_wait_settled (SyWindow *window)
{
  g_assert_true (ui_test_wait_for (ui_test_window_settled, window));
}

/**
 * ui_test_window_has_size:
 *
 * A predicate for ui_test_wait_for(): the surface of the window @data has the size
 * stored in its "wanted-size" data (two ints). The surface is what has to fit on the
 * screen; the widget is a little smaller than it when client-side decorations leave room
 * for a border.
 */
gboolean
ui_test_window_has_size (gpointer data)
{
  GtkWidget *window = data;
  int *size = g_object_get_data (G_OBJECT (window), "wanted-size");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  return gdk_surface_get_width (surface) == size[0] && gdk_surface_get_height (surface) == size[1];
}

/**
 * ui_test_resize_window:
 *
 * Resizes @window and waits until the X server has given its surface that size, then
 * until the window has settled; fails the test, saying the size it got, if not.
 */
void
ui_test_resize_window (SyWindow *window,
                       int       width,
                       int       height)
{
  int size[2] = { width, height };

  g_object_set_data (G_OBJECT (window), "wanted-size", size);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  if (!ui_test_wait_for (ui_test_window_has_size, window))
    g_error ("the window is %d×%d, not %d×%d",
             gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))),
             gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (window))),
             width, height);
  g_object_set_data (G_OBJECT (window), "wanted-size", NULL);
  ui_test_wait_settled (window);
}

/**
 * ui_test_assert_fits:
 *
 * Asserts that @window's minimum size, in the view it shows now, fits in
 * @max_width×@max_height. Does not wait.
 */
void
ui_test_assert_fits (SyWindow *window,
                     int       max_width,
                     int       max_height)
{
  int min_width;
  int min_height;

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, max_width,
                      &min_height, NULL, NULL, NULL);
  g_test_message ("%s: minimum %d×%d", _sy_window_get_view (window), min_width, min_height);
  g_assert_cmpint (min_width, <=, max_width);
  g_assert_cmpint (min_height, <=, max_height);
}

/**
 * ui_test_view_is:
 *
 * Whether @window shows @view ("learners", "library", "course"...). Does not wait.
 */
gboolean
ui_test_view_is (SyWindow   *window,
                 const char *view)
{
  return g_strcmp0 (_sy_window_get_view (window), view) == 0;
}

/* ---- screenshots ---- */

/**
 * ui_test_screenshot_dir:
 *
 * The folder screenshots go to: $SHUYUAN_SCREENSHOT_DIR, else $MESON_BUILD_ROOT's
 * screenshots folder, else the build tree's. Does not wait.
 */
char *
ui_test_screenshot_dir (void)
{
  const char *dir = g_getenv ("SHUYUAN_SCREENSHOT_DIR");

  if (dir != NULL && dir[0] != '\0')
    return g_strdup (dir);
  if ((dir = g_getenv ("MESON_BUILD_ROOT")) != NULL && dir[0] != '\0')
    return g_build_filename (dir, "screenshots", NULL);
  return g_strdup (SY_TEST_SCREENSHOT_DIR);
}

/**
 * ui_test_save_screenshot:
 *
 * Waits until @widget is drawn as it is (ui_test_wait_frames()), then renders it the way
 * it is on screen into @name, a PNG in the screenshot folder.
 */
void
ui_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autofree char *dir = ui_test_screenshot_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width;
  int height;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  ui_test_wait_frames (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- data ---- */

/**
 * ui_test_make_data_dir:
 *
 * A new empty temporary folder made from @tmpl ("shuyuan-ui-XXXXXX"). Does not wait.
 */
char *
ui_test_make_data_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

/**
 * ui_test_remove_data_dir:
 *
 * Deletes @data_dir and what is in it, and frees the string. Does not wait: close what
 * uses the folder first.
 */
void
ui_test_remove_data_dir (char *data_dir)
{
  g_autoptr(GError) error = NULL;

  sy_rm_rf (data_dir, &error);
  g_assert_no_error (error);
  g_free (data_dir);
}

/**
 * ui_test_sample_file:
 *
 * The sample course folder @name under $SHUYUAN_SAMPLES. Does not wait.
 */
GFile *
ui_test_sample_file (const char *name)
{
  const char *samples = g_getenv ("SHUYUAN_SAMPLES");

  g_assert_nonnull (samples);
  return g_file_new_build_filename (samples, name, NULL);
}

/**
 * ui_test_open_store:
 *
 * Opens the store in @data_dir synchronously, asserting that it opens.
 */
SyStore *
ui_test_open_store (const char *data_dir)
{
  g_autoptr(SyStore) store = sy_store_new (data_dir);
  g_autoptr(GError) error = NULL;

  sy_store_open (store, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

/**
 * ui_test_import_samples:
 *
 * Imports the sample courses named in the %NULL-terminated @dirs into @store through
 * the core API, synchronously, asserting that each is newly installed.
 */
void
ui_test_import_samples (SyStore            *store,
                        const char * const *dirs)
{
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autoptr(GFile) file = ui_test_sample_file (dirs[i]);
      g_autoptr(SyCourse) course = NULL;
      g_autoptr(GError) error = NULL;
      SyImportOutcome outcome;

      course = sy_store_import (store, file, &outcome, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (course);
      g_assert_cmpint (outcome, ==, SY_IMPORT_INSTALLED);
    }
}

/* ---- finding widgets ---- */

/**
 * ui_test_collect:
 *
 * Adds @root and every widget under it that is a @type to @found, in tree order. Does
 * not wait.
 */
void
ui_test_collect (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ui_test_collect (child, type, found);
}

/**
 * ui_test_has_label:
 *
 * Whether a visible #GtkLabel at or under @root has exactly @text as its label. Does not
 * wait.
 */
gboolean
ui_test_has_label (GtkWidget  *root,
                   const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ui_test_has_label (child, text))
      return TRUE;

  return FALSE;
}

/**
 * ui_test_find_named:
 *
 * The first widget at or under @root whose widget name is @name, or %NULL. Does not
 * wait.
 */
GtkWidget *
ui_test_find_named (GtkWidget  *root,
                    const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * ui_test_find_row:
 *
 * The first #AdwActionRow under @root titled @title, or %NULL. Does not wait.
 */
AdwActionRow *
ui_test_find_row (GtkWidget  *root,
                  const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  ui_test_collect (root, ADW_TYPE_ACTION_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

/* ---- main () ---- */

/**
 * ui_test_init:
 *
 * What every UI test's main() does first: with @schema_dir, the schema compiled in the
 * build tree (unless the environment names another) and the memory settings backend;
 * English unless a test asks for another language; GTK in test mode; the C.UTF-8 locale
 * and the app's text domain; the core. Does not wait.
 */
void
ui_test_init (int          *argc,
              char       ***argv,
              const char   *schema_dir)
{
  if (schema_dir != NULL)
    {
      g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, FALSE);
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
    }
  g_unsetenv ("LANGUAGE");

  gtk_test_init (argc, argv, NULL);
  setlocale (LC_ALL, "C.UTF-8");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  sy_core_init ();
}

/**
 * ui_test_register_app:
 *
 * A new #SyApplication, non-unique, registered on the session bus (which loads the app's
 * style sheet, as for real windows). Does not wait beyond registration.
 */
SyApplication *
ui_test_register_app (void)
{
  g_autoptr(SyApplication) app = sy_application_new ();
  g_autoptr(GError) error = NULL;

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&app);
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/**
 * ui_test_destroy_and_wait_freed:
 * @window: a window to destroy, as closing it or a power cut would
 * @object: something @window shows (a view)
 *
 * Destroys @window and waits (within the usual deadline) until @object is finalized:
 * nothing it started may keep it alive once its work is done. Fails the test otherwise.
 */
void
ui_test_destroy_and_wait_freed (GtkWindow *window,
                                gpointer   object)
{
  gpointer watched = object;

  g_object_add_weak_pointer (G_OBJECT (object), &watched);
  gtk_window_destroy (window);
  g_assert_true (ui_test_wait_for (pointer_is_null, &watched));
  /* let cancelled loads and queued records unwind before the data folder goes */
  ui_test_spin (50);
}

gboolean
ui_test_signed_in_and_settled (gpointer data)
{
  return _sy_window_get_learner (data) != NULL && ui_test_window_settled (data);
}

gboolean
ui_test_pin_dialog_shown (gpointer data)
{
  GtkWindow *dialog = _sy_window_get_learner_dialog (data);

  return SY_IS_PIN_DIALOG (dialog) && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

void
ui_test_sign_in_with_pin (SyWindow   *window,
                          SyLearner  *learner,
                          const char *pin)
{
  GtkWidget *tile = _sy_learner_chooser_get_tile (_sy_window_get_chooser (window),
                                                  sy_learner_get_uuid (learner));
  GtkEditable *entry;

  g_assert_nonnull (tile);
  gtk_widget_grab_focus (tile);
  g_assert_true (gtk_widget_activate (tile));
  g_assert_true (ui_test_wait_for (ui_test_pin_dialog_shown, window));
  entry = _sy_pin_dialog_get_entry (SY_PIN_DIALOG (_sy_window_get_learner_dialog (window)));
  gtk_editable_set_text (entry, pin);
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (ui_test_wait_for (ui_test_signed_in_and_settled, window));
}
