/* sy-window.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window owns a store on its data folder and talks to it only through _async calls:
 * the store's worker thread does the disk and database work, so the window never waits.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-bench-frame.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-store.h"
#include "sy-util.h"
#include "sy-window-private.h"
#include "sy-window.h"

struct _SyWindow
{
  AdwApplicationWindow  parent_instance;

  char                 *data_dir;
  SyStore              *store;
  GSettings            *settings;
  GCancellable         *cancellable;         /* store work; cancelled when the window goes */
  GCancellable         *list_cancellable;
  GCancellable         *course_cancellable;
  char                 *course_id;           /* the course open, or last open */
  char                 *last_toast;
  GtkNativeDialog      *file_chooser;

  /* Imports run one after the other; what happened is told once the queue is empty. */
  GQueue                import_queue;        /* GFile */
  GFile                *import_file;         /* being imported */
  GPtrArray            *import_errors;       /* char * */
  SyCourse             *import_course;       /* the last course added */
  SyImportOutcome       import_outcome;
  guint                 n_installed;
  guint                 n_updated;
  guint                 n_unchanged;

  guint                 importing : 1;
  guint                 store_ready : 1;
  guint                 store_failed : 1;
  guint                 library_loading : 1;
  guint                 course_loading : 1;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkSpinner           *import_spinner;
  GtkStack             *library_stack;
  GtkSpinner           *library_spinner;
  GtkScrolledWindow    *library_scroller;
  GtkGridView          *grid_view;
  GListStore           *courses;     /* SyCourse, by title */
  GPtrArray            *more_courses;
  guint                 covers_idle;
  guint                 more_courses_idle;
  AdwStatusPage        *error_page;
  SyCoursePage         *course_page;
};

G_DEFINE_FINAL_TYPE (SyWindow, sy_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATA_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void reload_library (SyWindow *self);

static gboolean
is_course_page_visible (SyWindow *self)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "course") == 0;
}

static void
update_actions (SyWindow *self)
{
  gboolean can_add = !self->store_failed;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back",
                                 is_course_page_visible (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-course", can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-folder", can_add);
}

static void
show_toast (SyWindow   *self,
            const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  /* Toast titles are markup in libadwaita 1.2; course titles may hold an "&". */
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

static void
show_library_error (SyWindow   *self,
                    const char *title,
                    const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_spinner_stop (self->library_spinner);
  gtk_stack_set_visible_child_name (self->library_stack, "error");
}

/* ---- the library ---- */

static int
compare_courses (gconstpointer a,
                 gconstpointer b)
{
  SyCourse *course_a = *(SyCourse **) a;
  SyCourse *course_b = *(SyCourse **) b;
  int ret;

  ret = g_utf8_collate (sy_text_get (sy_course_get_title (course_a), NULL),
                        sy_text_get (sy_course_get_title (course_b), NULL));
  if (ret == 0)
    ret = g_strcmp0 (sy_course_get_id (course_a), sy_course_get_id (course_b));
  return ret;
}

/* The grid only has cards for the courses on screen (and a few around): it recycles them. */
static SyCourseCard *
find_card (SyWindow   *self,
           const char *course_id)
{
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *child = gtk_widget_get_first_child (item);
      SyCourse *course;

      if (SY_IS_COURSE_CARD (child) &&
          (course = sy_course_card_get_course (SY_COURSE_CARD (child))) != NULL &&
          g_strcmp0 (sy_course_get_id (course), course_id) == 0)
        return SY_COURSE_CARD (child);
    }
  return NULL;
}

/* Focus goes to the grid's item that holds the card, as arrow keys would leave it. */
static void
focus_card (SyCourseCard *card)
{
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (card)));
}

/* Loads the covers of the cards on screen, and of one more screenful below. */
static gboolean
load_visible_covers_cb (gpointer user_data)
{
  SyWindow *self = user_data;
  GtkWidget *scroller = GTK_WIDGET (self->library_scroller);
  double height = gtk_widget_get_height (scroller);

  self->covers_idle = 0;
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *card = gtk_widget_get_first_child (item);
      graphene_rect_t bounds;

      if (SY_IS_COURSE_CARD (card) && gtk_widget_get_child_visible (item) &&
          gtk_widget_compute_bounds (card, scroller, &bounds) &&
          bounds.origin.y + bounds.size.height >= 0 && bounds.origin.y <= 2 * height)
        sy_course_card_load_cover (SY_COURSE_CARD (card));
    }
  return G_SOURCE_REMOVE;
}

static void
queue_load_visible_covers (SyWindow *self)
{
  if (self->covers_idle == 0)
    self->covers_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, load_visible_covers_cb,
                                         self, NULL);
}

static void
card_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  gtk_list_item_set_child (item, sy_course_card_new ());
}

static void
card_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              SyWindow                 *self)
{
  sy_course_card_set_course (SY_COURSE_CARD (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
  queue_load_visible_covers (self);
}

static void
card_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  sy_course_card_set_course (SY_COURSE_CARD (gtk_list_item_get_child (item)), NULL);
}

/* What a screen shows: 4 rows of 5 cards, 5 of 4, 7 of 3 (a card costs about 2 ms to make
 * on an old PC, and GTK 4.8's grid makes 30 rows' worth at once). */
#define FIRST_SCREENFUL 20

static gboolean
add_more_courses_cb (gpointer user_data)
{
  SyWindow *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->courses));

  self->more_courses_idle = 0;
  g_list_store_splice (self->courses, n, 0, self->more_courses->pdata + n,
                       self->more_courses->len - n);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

static void
list_courses_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GPtrArray) courses = NULL;
  g_autoptr(GError) error = NULL;
  gboolean had_focus;
  guint n_first;

  courses = sy_store_list_courses_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->library_loading = FALSE;

  if (courses == NULL)
    {
      show_library_error (self, _("Could Not Read Your Courses"), error->message);
      return;
    }

  g_ptr_array_sort (courses, compare_courses);

  had_focus = gtk_widget_has_focus (GTK_WIDGET (self->grid_view)) ||
              gtk_widget_get_focus_child (GTK_WIDGET (self->grid_view)) != NULL;

  /* GTK 4.8's grid makes cards for 30 rows at once, far more than a screen shows: the
   * first screenful is painted before the rest are added. */
  g_clear_handle_id (&self->more_courses_idle, g_source_remove);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  n_first = MIN (courses->len, FIRST_SCREENFUL);
  g_list_store_splice (self->courses, 0, g_list_model_get_n_items (G_LIST_MODEL (self->courses)),
                       courses->pdata, n_first);
  if (courses->len > n_first)
    {
      self->more_courses = g_ptr_array_ref (courses);
      self->more_courses_idle = g_idle_add_full (G_PRIORITY_LOW, add_more_courses_cb, self, NULL);
    }

  gtk_spinner_stop (self->library_spinner);
  gtk_stack_set_visible_child_name (self->library_stack, courses->len > 0 ? "courses" : "empty");
  bench_report_first_frame (GTK_WIDGET (self));

  /* Keep keyboard users where they were when the grid is rebuilt under them. */
  if (had_focus && courses->len > 0 && !is_course_page_visible (self))
    {
      SyCourseCard *card = self->course_id ? find_card (self, self->course_id) : NULL;

      if (card != NULL)
        focus_card (card);
      else
        gtk_widget_child_focus (GTK_WIDGET (self->grid_view), GTK_DIR_TAB_FORWARD);
    }
}

static void
reload_library (SyWindow *self)
{
  if (!self->store_ready)
    return;

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  self->library_loading = TRUE;

  /* Learners arrive in a later version: until then progress is nobody's. */
  sy_store_list_courses_async (self->store, NULL, self->list_cancellable,
                               list_courses_cb, g_object_ref (self));
}

static void
store_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sy_store_open_finish (SY_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Could not open the store in %s: %s", self->data_dir, error->message);
      self->store_failed = TRUE;
      show_library_error (self, _("Could Not Open Your Courses"), error->message);
      update_actions (self);
      return;
    }

  self->store_ready = TRUE;
  reload_library (self);
}

/* ---- a course ---- */

static void
get_course_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  course = sy_store_get_course_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->course_loading = FALSE;

  if (course == NULL)
    {
      sy_course_page_show_error (self->course_page, error->message);
      return;
    }

  sy_course_page_set_course (self->course_page, course);
  sy_course_page_set_loading (self->course_page, FALSE);
}

static void
open_course (SyWindow *self,
             SyCourse *course)
{
  g_assert (SY_IS_COURSE (course));

  g_cancellable_cancel (self->course_cancellable);
  g_clear_object (&self->course_cancellable);
  self->course_cancellable = g_cancellable_new ();
  self->course_loading = TRUE;

  g_free (self->course_id);
  self->course_id = g_strdup (sy_course_get_id (course));

  /* The listing has everything but the modules: show it while they load. */
  sy_course_page_set_loading (self->course_page, TRUE);
  sy_course_page_set_course (self->course_page, course);
  adw_leaflet_set_visible_child_name (self->leaflet, "course");
  gtk_widget_child_focus (GTK_WIDGET (self->course_page), GTK_DIR_TAB_FORWARD);

  sy_store_get_course_async (self->store, self->course_id, NULL, self->course_cancellable,
                             get_course_cb, g_object_ref (self));
}

static void
grid_view_activate_cb (SyWindow    *self,
                       guint        position,
                       GtkGridView *grid_view)
{
  g_autoptr(SyCourse) course = g_list_model_get_item (G_LIST_MODEL (self->courses), position);

  if (course != NULL)
    open_course (self, course);
}

static void
leaflet_visible_child_cb (SyWindow *self)
{
  if (!is_course_page_visible (self))
    {
      SyCourseCard *card;

      g_cancellable_cancel (self->course_cancellable);
      g_clear_object (&self->course_cancellable);
      self->course_loading = FALSE;

      if (self->course_id != NULL && (card = find_card (self, self->course_id)) != NULL)
        focus_card (card);
    }

  update_actions (self);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  SyWindow *self = SY_WINDOW (widget);

  if (is_course_page_visible (self))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- adding courses ---- */

static void
report_imports (SyWindow *self)
{
  guint n_added = self->n_installed + self->n_updated;
  guint n_done = n_added + self->n_unchanged;

  if (n_done == 1)
    {
      const char *title = sy_text_get (sy_course_get_title (self->import_course), NULL);
      g_autofree char *text = NULL;
      g_autofree char *version = NULL;

      switch (self->import_outcome)
        {
        case SY_IMPORT_INSTALLED:
          /* Translators: %s is a course title */
          text = g_strdup_printf (_("“%s” added"), title);
          break;

        case SY_IMPORT_UPDATED:
          version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                     sy_course_get_version (self->import_course));
          /* Translators: the first %s is a course title, the second a version number */
          text = g_strdup_printf (_("“%s” updated to version %s"), title, version);
          break;

        case SY_IMPORT_UNCHANGED:
        default:
          /* Translators: %s is a course title */
          text = g_strdup_printf (_("“%s” is already installed"), title);
          break;
        }
      show_toast (self, text);
    }
  else if (n_done > 1 && n_added == 0)
    {
      show_toast (self, _("These courses are already installed"));
    }
  else if (n_done > 1)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u course added",
                                                            "%u courses added",
                                                            n_added),
                                               n_added);
      show_toast (self, text);
    }

  if (self->import_errors->len > 0)
    {
      g_autoptr(GString) body = g_string_new (NULL);
      AdwMessageDialog *dialog;

      for (guint i = 0; i < self->import_errors->len; i++)
        {
          if (i > 0)
            g_string_append (body, "\n\n");
          g_string_append (body, g_ptr_array_index (self->import_errors, i));
        }

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           g_dngettext (GETTEXT_PACKAGE,
                                                                        "Could Not Add Course",
                                                                        "Could Not Add Courses",
                                                                        self->import_errors->len),
                                                           body->str));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      adw_message_dialog_set_default_response (dialog, "close");
      adw_message_dialog_set_close_response (dialog, "close");
      gtk_window_present (GTK_WINDOW (dialog));
    }

  self->n_installed = self->n_updated = self->n_unchanged = 0;
  g_clear_object (&self->import_course);
  g_ptr_array_set_size (self->import_errors, 0);
}

static void import_next (SyWindow *self);

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SyWindow) self = user_data;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  SyImportOutcome outcome = SY_IMPORT_UNCHANGED;

  course = sy_store_import_finish (SY_STORE (object), result, &outcome, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (course == NULL)
    {
      g_autofree char *name = g_file_get_basename (self->import_file);

      /* The core's message names the file inside the package and the field, and says what
       * to fix; which package it was matters when several were dropped at once. */
      g_ptr_array_add (self->import_errors, g_strdup_printf ("%s: %s", name, error->message));
    }
  else
    {
      switch (outcome)
        {
        case SY_IMPORT_INSTALLED:
          self->n_installed++;
          break;
        case SY_IMPORT_UPDATED:
          self->n_updated++;
          break;
        case SY_IMPORT_UNCHANGED:
        default:
          self->n_unchanged++;
          break;
        }
      g_set_object (&self->import_course, course);
      self->import_outcome = outcome;
    }

  import_next (self);
}

static void
import_next (SyWindow *self)
{
  g_clear_object (&self->import_file);
  self->import_file = g_queue_pop_head (&self->import_queue);

  if (self->import_file != NULL)
    {
      sy_store_import_async (self->store, self->import_file, self->cancellable, import_cb,
                             g_object_ref (self));
      return;
    }

  self->importing = FALSE;
  gtk_spinner_stop (self->import_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->import_spinner), FALSE);

  if (self->n_installed + self->n_updated > 0)
    reload_library (self);
  report_imports (self);
}

/**
 * sy_window_import:
 * @files: (array length=n_files): course folders and .zip packages
 *
 * Adds the courses in @files to the store, one after the other, with a spinner in the
 * header bar meanwhile. Then a toast says what was added and a dialog what could not be.
 */
void
sy_window_import (SyWindow      *self,
                  GFile * const *files,
                  guint          n_files)
{
  g_return_if_fail (SY_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  for (guint i = 0; i < n_files; i++)
    g_queue_push_tail (&self->import_queue, g_object_ref (files[i]));

  if (self->importing || g_queue_is_empty (&self->import_queue))
    return;

  self->importing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->import_spinner), TRUE);
  gtk_spinner_start (self->import_spinner);
  import_next (self);
}

static void
file_chooser_response_cb (GtkNativeDialog *native,
                          int              response,
                          SyWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (model, i));
      sy_window_import (self, (GFile * const *) files->pdata, files->len);
    }

  gtk_native_dialog_destroy (native);
  if (self->file_chooser == native)
    g_clear_object (&self->file_chooser);
}

static void
choose_courses (SyWindow *self,
                gboolean  folders)
{
  g_autoptr(GtkFileChooserNative) native = NULL;

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  native = gtk_file_chooser_native_new (folders ? _("Add Course Folder") : _("Add Course"),
                                        GTK_WINDOW (self),
                                        folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Add"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);

  if (!folders)
    {
      g_autoptr(GtkFileFilter) packages = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (packages, _("Course packages"));
      gtk_file_filter_add_suffix (packages, "zip");
      gtk_file_filter_add_mime_type (packages, "application/zip");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), packages);

      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);

      gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), packages);
    }

  g_signal_connect_object (native, "response",
                           G_CALLBACK (file_chooser_response_cb), self, 0);
  self->file_chooser = GTK_NATIVE_DIALOG (g_steal_pointer (&native));
  gtk_native_dialog_show (self->file_chooser);
}

static void
add_course_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  choose_courses (SY_WINDOW (widget), FALSE);
}

static void
add_folder_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  choose_courses (SY_WINDOW (widget), TRUE);
}

static gboolean
drop_cb (SyWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  GSList *list;

  if (self->store_failed || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);

  if (files->len == 0)
    return FALSE;

  /* The core decides what is a course: anything else gets an error that says why. */
  sy_window_import (self, (GFile * const *) files->pdata, files->len);
  return TRUE;
}

/* ---- window state ---- */

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running uninstalled without the compiled schema is allowed: nothing is remembered. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found: the window size is not remembered", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (SyWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (SyWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
sy_window_close_request (GtkWindow *window)
{
  save_window_state (SY_WINDOW (window));

  return GTK_WINDOW_CLASS (sy_window_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
sy_window_constructed (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  G_OBJECT_CLASS (sy_window_parent_class)->constructed (object);

  if (self->data_dir == NULL)
    self->data_dir = sy_default_data_dir ();

  self->settings = create_settings ();
  restore_window_state (self);

  self->store = sy_store_new (self->data_dir);
  gtk_spinner_start (self->library_spinner);
  sy_store_open_async (self->store, self->cancellable, store_open_cb, g_object_ref (self));

  update_actions (self);
}

static void
sy_window_dispose (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  g_clear_handle_id (&self->covers_idle, g_source_remove);
  g_clear_handle_id (&self->more_courses_idle, g_source_remove);
  g_clear_pointer (&self->more_courses, g_ptr_array_unref);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->course_cancellable);

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_WINDOW);

  g_queue_clear_full (&self->import_queue, g_object_unref);
  g_clear_object (&self->import_file);
  g_clear_object (&self->import_course);
  g_clear_object (&self->courses);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->course_cancellable);

  G_OBJECT_CLASS (sy_window_parent_class)->dispose (object);
}

static void
sy_window_finalize (GObject *object)
{
  SyWindow *self = (SyWindow *) object;

  g_clear_pointer (&self->import_errors, g_ptr_array_unref);
  g_free (self->data_dir);
  g_free (self->course_id);
  g_free (self->last_toast);

  G_OBJECT_CLASS (sy_window_parent_class)->finalize (object);
}

static void
sy_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SyWindow *self = SY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SyWindow *self = SY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_window_class_init (SyWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sy_window_constructed;
  object_class->dispose = sy_window_dispose;
  object_class->finalize = sy_window_finalize;
  object_class->get_property = sy_window_get_property;
  object_class->set_property = sy_window_set_property;

  window_class->close_request = sy_window_close_request;

  /**
   * SyWindow:data-dir:
   *
   * The folder with the database and the installed courses; %NULL for the default.
   */
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SY_TYPE_COURSE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SyWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, import_spinner);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_stack);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_spinner);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, library_scroller);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyWindow, course_page);
  gtk_widget_class_bind_template_callback (widget_class, grid_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_visible_child_cb);

  gtk_widget_class_install_action (widget_class, "win.add-course", NULL, add_course_action);
  gtk_widget_class_install_action (widget_class, "win.add-folder", NULL, add_folder_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.add-course", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.add-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
sy_window_init (SyWindow *self)
{
  GtkListItemFactory *factory;
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A grid view makes cards only for what is on screen: a library of hundreds of courses
   * starts as fast as one of three (see docs/benchmarks.md). */
  self->courses = g_list_store_new (SY_TYPE_COURSE);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (card_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (card_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (card_unbind_cb), NULL);
  gtk_grid_view_set_factory (self->grid_view, factory);
  g_object_unref (factory);
  gtk_grid_view_set_model (self->grid_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->courses)))));
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->library_scroller),
                           "value-changed", G_CALLBACK (queue_load_visible_covers), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->library_scroller),
                           "changed", G_CALLBACK (queue_load_visible_covers), self,
                           G_CONNECT_SWAPPED);

  self->cancellable = g_cancellable_new ();
  self->import_errors = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->import_queue);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/**
 * sy_window_new:
 * @application: (nullable): the application
 * @data_dir: (nullable): the data folder, %NULL for sy_default_data_dir()
 *
 * Returns: (transfer none): a new window that opens the store in @data_dir
 */
SyWindow *
sy_window_new (GtkApplication *application,
               const char     *data_dir)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SY_TYPE_WINDOW,
                       "application", application,
                       "data-dir", data_dir,
                       NULL);
}

const char *
sy_window_get_data_dir (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->data_dir;
}

/* ---- for the tests ---- */

/* Returns: the number of courses in the library */
guint
_sy_window_get_n_cards (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->courses));
}

/* Returns: (nullable): the card showing the @index-th course, if it is on screen */
SyCourseCard *
_sy_window_get_card (SyWindow *self,
                     guint     index)
{
  g_autoptr(SyCourse) course = NULL;

  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  course = g_list_model_get_item (G_LIST_MODEL (self->courses), index);
  return course ? find_card (self, sy_course_get_id (course)) : NULL;
}

/* How many cards the grid has made, and how many of them show their cover. */
void
_sy_window_count_cards (SyWindow *self,
                        guint    *n_made,
                        guint    *n_with_cover)
{
  *n_made = *n_with_cover = 0;
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view));
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *card = gtk_widget_get_first_child (item);

      if (SY_IS_COURSE_CARD (card) && sy_course_card_get_course (SY_COURSE_CARD (card)))
        {
          *n_made += 1;
          *n_with_cover += sy_course_card_has_cover (SY_COURSE_CARD (card));
        }
    }
}

SyCoursePage *
_sy_window_get_course_page (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->course_page;
}

/* Returns: "loading", "empty", "courses" or "error" for the library, "course" for a course */
const char *
_sy_window_get_view (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  if (is_course_page_visible (self))
    return "course";
  return gtk_stack_get_visible_child_name (self->library_stack);
}

/* Returns: whether the window is waiting for the store */
gboolean
_sy_window_is_busy (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), FALSE);

  return (!self->store_ready && !self->store_failed) ||
         self->library_loading || self->course_loading || self->importing;
}

const char *
_sy_window_get_last_toast (SyWindow *self)
{
  g_return_val_if_fail (SY_IS_WINDOW (self), NULL);

  return self->last_toast;
}
