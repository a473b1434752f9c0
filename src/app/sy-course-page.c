/* sy-course-page.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-course-page.h"
#include "sy-cover.h"
#include "sy-format.h"
#include "sy-util.h"

#define COVER_LOAD_WIDTH 416

/* Time studied is shown in class hours (学时) of 45 minutes, the length of a class
 * period that continuing-education hours are counted in. */
#define SECONDS_PER_CLASS_HOUR (45 * 60)

struct _SyCoursePage
{
  AdwBin             parent_instance;

  SyCourse          *course;
  GHashTable        *rows;              /* item id → its row (owned by the page) */
  GCancellable      *cover_cancellable;
  gboolean           loading;

  AdwWindowTitle    *window_title;
  GtkScrolledWindow *scrolled_window;
  GtkPicture        *cover;
  GtkWidget         *cover_placeholder;
  GtkLabel          *programme_label;
  GtkLabel          *title_label;
  GtkLabel          *facts_label;
  GtkProgressBar    *progress_bar;
  GtkLabel          *progress_label;
  GtkLabel          *studied_label;
  GtkWidget         *certificate_button;
  GtkLabel          *description_label;
  GtkStack          *modules_stack;
  GtkSpinner        *spinner;
  GtkBox            *modules_box;
  AdwStatusPage     *error_page;

  /* (nullable): the only items listed (class mode); NULL lists every item */
  GStrv              item_filter;
};

G_DEFINE_FINAL_TYPE (SyCoursePage, sy_course_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_COURSE,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ITEM_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_status_widget (SyStatus status)
{
  GtkWidget *widget;
  const char *label;

  switch (status)
    {
    case SY_STATUS_PASSED:
    case SY_STATUS_COMPLETED:
      label = status == SY_STATUS_PASSED ? _("Passed") : _("Completed");
      widget = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_widget_add_css_class (widget, "success");
      gtk_widget_set_tooltip_text (widget, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      return widget;

    case SY_STATUS_IN_PROGRESS:
      widget = gtk_label_new (_("In progress"));
      gtk_widget_add_css_class (widget, "caption");
      gtk_widget_add_css_class (widget, "dim-label");
      return widget;

    case SY_STATUS_NOT_STARTED:
    default:
      return NULL;
    }
}

static char *
item_subtitle (SyItem *item)
{
  const char *type = sy_format_item_type (item->type);
  g_autofree char *detail = NULL;

  if (item->type == SY_ITEM_LESSON && item->minutes > 0)
    detail = sy_format_minutes (item->minutes);
  else if (item->type == SY_ITEM_QUIZ && item->pass_score > 0)
    /* Translators: the score needed to pass a quiz, e.g. "pass mark 80%" */
    detail = g_strdup_printf (_("pass mark %d%%"), (int) round (item->pass_score * 100));

  if (detail == NULL)
    return g_strdup (type);

  /* Translators: an item's type and a detail about it: "Lesson · 8 minutes" */
  return g_strdup_printf (_("%s · %s"), type, detail);
}

static void
row_activated_cb (SyCoursePage *self,
                  AdwActionRow *row)
{
  const char *item_id = g_object_get_data (G_OBJECT (row), "sy-item-id");

  g_signal_emit (self, signals[SIGNAL_ITEM_ACTIVATED], 0, item_id);
}

static GtkWidget *
create_item_row (SyCoursePage *self,
                 SyItem       *item)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  GtkWidget *status;
  g_autofree char *subtitle = item_subtitle (item);

  /* Titles come from course packages: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sy_text_get (item->title, NULL));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  g_object_set_data_full (G_OBJECT (row), "sy-item-id", g_strdup (item->id), g_free);
  g_hash_table_insert (self->rows, g_strdup (item->id), row);

  icon = gtk_image_new_from_icon_name (sy_format_item_icon (item->type));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, sy_format_item_type (item->type),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if ((status = create_status_widget (item->status)) != NULL)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_signal_connect_object (row, "activated", G_CALLBACK (row_activated_cb), self,
                           G_CONNECT_SWAPPED);

  return row;
}

static GtkWidget *
create_module_group (SyCoursePage *self,
                     SyModule     *module)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autofree char *title = g_markup_escape_text (sy_text_get (module->title, NULL), -1);
  guint n_rows = 0;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  for (guint i = 0; i < module->items->len; i++)
    {
      SyItem *item = g_ptr_array_index (module->items, i);

      if (self->item_filter != NULL &&
          !g_strv_contains ((const char * const *) self->item_filter, item->id))
        continue;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), create_item_row (self, item));
      n_rows++;
    }

  /* a module with nothing to open is left out, not shown empty */
  if (n_rows == 0)
    {
      g_object_ref_sink (group);
      g_object_unref (group);
      return NULL;
    }
  return group;
}

static void
clear_modules (SyCoursePage *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->modules_box))) != NULL)
    gtk_box_remove (self->modules_box, child);
}

static void
update_modules (SyCoursePage *self)
{
  GPtrArray *modules = self->course ? sy_course_get_modules (self->course) : NULL;

  if (self->loading)
    {
      gtk_spinner_start (self->spinner);
      gtk_stack_set_visible_child_name (self->modules_stack, "loading");
      return;
    }

  gtk_spinner_stop (self->spinner);
  clear_modules (self);
  if (modules != NULL)
    for (guint i = 0; i < modules->len; i++)
      {
        GtkWidget *group = create_module_group (self, g_ptr_array_index (modules, i));

        if (group != NULL)
          gtk_box_append (self->modules_box, group);
      }
  gtk_stack_set_visible_child_name (self->modules_stack, "modules");
}

static void
cover_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SyCoursePage) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = sy_cover_load_finish (result, &error);
  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No cover: %s", error->message);
      return;
    }

  gtk_picture_set_paintable (self->cover, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->cover_placeholder, FALSE);
}

/* Like GNOME Software: the header bar names the course once its big title scrolls away. */
static void
update_window_title (SyCoursePage *self)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  GtkWidget *viewport = gtk_scrolled_window_get_child (self->scrolled_window);
  GtkWidget *content = viewport ? gtk_viewport_get_child (GTK_VIEWPORT (viewport)) : NULL;
  const char *title = NULL;
  graphene_rect_t bounds;

  if (self->course != NULL && content != NULL &&
      gtk_widget_compute_bounds (GTK_WIDGET (self->title_label), content, &bounds) &&
      gtk_adjustment_get_value (vadjustment) > bounds.origin.y + bounds.size.height)
    title = sy_text_get (sy_course_get_title (self->course), NULL);

  adw_window_title_set_title (self->window_title, title ? title : "");
}

static void
update_header (SyCoursePage *self,
               gboolean      same_course)
{
  SyCourse *course = self->course;
  SyText *description;
  const char *title;
  const char *programme;
  g_autofree char *facts = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *cover = NULL;

  /* The same course again (its progress changed): its cover has not. */
  if (!same_course)
    {
      g_cancellable_cancel (self->cover_cancellable);
      g_clear_object (&self->cover_cancellable);
      gtk_picture_set_paintable (self->cover, NULL);
      gtk_widget_set_visible (self->cover_placeholder, TRUE);
    }

  if (course == NULL)
    {
      gtk_label_set_label (self->title_label, NULL);
      gtk_label_set_label (self->facts_label, NULL);
      gtk_label_set_label (self->progress_label, NULL);
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_label_set_label (self->description_label, NULL);
      sy_course_page_set_progress (self, NULL);
      return;
    }

  title = sy_text_get (sy_course_get_title (course), NULL);
  programme = sy_programme_display_name (sy_course_get_programme (course));
  description = sy_course_get_description (course);
  facts = sy_format_course_facts (course);
  progress = sy_format_progress (sy_course_get_n_done (course), sy_course_get_n_items (course));

  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->programme_label, programme);
  gtk_widget_set_visible (GTK_WIDGET (self->programme_label), programme != NULL);
  gtk_label_set_label (self->facts_label, facts);
  gtk_progress_bar_set_fraction (self->progress_bar, sy_course_get_progress (course));
  gtk_label_set_label (self->progress_label, progress);
  gtk_label_set_label (self->description_label,
                       description ? sy_text_get (description, NULL) : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), description != NULL);

  if (!same_course && (cover = sy_course_get_cover_path (course)) != NULL)
    {
      self->cover_cancellable = g_cancellable_new ();
      sy_cover_load_async (cover, COVER_LOAD_WIDTH, self->cover_cancellable,
                           cover_loaded_cb, g_object_ref (self));
    }
}

static void
sy_course_page_dispose (GObject *object)
{
  SyCoursePage *self = (SyCoursePage *) object;

  g_cancellable_cancel (self->cover_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_COURSE_PAGE);
  g_clear_object (&self->cover_cancellable);
  g_clear_object (&self->course);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->item_filter, g_strfreev);

  G_OBJECT_CLASS (sy_course_page_parent_class)->dispose (object);
}

static void
sy_course_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SyCoursePage *self = SY_COURSE_PAGE (object);

  switch (prop_id)
    {
    case PROP_COURSE:
      g_value_set_object (value, self->course);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_course_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SyCoursePage *self = SY_COURSE_PAGE (object);

  switch (prop_id)
    {
    case PROP_COURSE:
      sy_course_page_set_course (self, g_value_get_object (value));
      break;

    case PROP_LOADING:
      sy_course_page_set_loading (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_course_page_class_init (SyCoursePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_course_page_dispose;
  object_class->get_property = sy_course_page_get_property;
  object_class->set_property = sy_course_page_set_property;

  /**
   * SyCoursePage:course:
   *
   * The course shown. Its modules are shown once it has any and #SyCoursePage:loading
   * is %FALSE.
   */
  properties[PROP_COURSE] =
    g_param_spec_object ("course", NULL, NULL,
                         SY_TYPE_COURSE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SyCoursePage:loading:
   *
   * Whether the course's modules are still being read: a spinner stands in for them.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SyCoursePage::item-activated:
   * @item_id: the item's id in the course
   *
   * A lesson, quiz or survey row was activated (clicked, or Enter on it).
   */
  signals[SIGNAL_ITEM_ACTIVATED] =
    g_signal_new ("item-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-course-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, cover);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, cover_placeholder);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, programme_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, title_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, facts_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, studied_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, certificate_button);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, description_label);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, modules_stack);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, modules_box);
  gtk_widget_class_bind_template_child (widget_class, SyCoursePage, error_page);
}

static void
sy_course_page_init (SyCoursePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scrolled_window),
                           "value-changed", G_CALLBACK (update_window_title), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
sy_course_page_new (void)
{
  return g_object_new (SY_TYPE_COURSE_PAGE, NULL);
}

SyCourse *
sy_course_page_get_course (SyCoursePage *self)
{
  g_return_val_if_fail (SY_IS_COURSE_PAGE (self), NULL);

  return self->course;
}

/**
 * sy_course_page_set_course:
 * @course: (nullable): a course, with or without its modules
 *
 * Shows @course from the top.
 */
void
sy_course_page_set_course (SyCoursePage *self,
                           SyCourse     *course)
{
  GtkAdjustment *vadjustment;
  g_autofree char *old_sha256 = NULL;
  gboolean same_course;

  g_return_if_fail (SY_IS_COURSE_PAGE (self));
  g_return_if_fail (!course || SY_IS_COURSE (course));

  if (self->course == course)
    return;

  same_course = self->course && course &&
                g_strcmp0 (sy_course_get_id (self->course), sy_course_get_id (course)) == 0;
  old_sha256 = self->course ? g_strdup (sy_course_get_sha256 (self->course)) : NULL;
  g_set_object (&self->course, course);

  /* A course updated to a new version may have a new cover. */
  update_header (self, same_course && g_strcmp0 (old_sha256, sy_course_get_sha256 (course)) == 0);
  if (!same_course)
    sy_course_page_set_progress (self, NULL);
  update_modules (self);

  /* A new course starts at the top; the same course reloaded keeps its place. */
  if (!same_course)
    {
      vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
      gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
    }

  update_window_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COURSE]);
}

/**
 * sy_course_page_set_item_filter:
 * @item_ids: (nullable) (array zero-terminated=1): the ids of the only items to list, or
 *   %NULL to list every item
 *
 * Class mode lists the items assigned to the class and hides the rest, and the modules
 * left with none.
 */
void
sy_course_page_set_item_filter (SyCoursePage       *self,
                                const char * const *item_ids)
{
  g_return_if_fail (SY_IS_COURSE_PAGE (self));

  g_clear_pointer (&self->item_filter, g_strfreev);
  self->item_filter = g_strdupv ((char **) item_ids);
  if (self->course != NULL)
    update_modules (self);
}

gboolean
sy_course_page_get_loading (SyCoursePage *self)
{
  g_return_val_if_fail (SY_IS_COURSE_PAGE (self), FALSE);

  return self->loading;
}

void
sy_course_page_set_loading (SyCoursePage *self,
                            gboolean      loading)
{
  g_return_if_fail (SY_IS_COURSE_PAGE (self));

  loading = !!loading;
  if (self->loading == loading)
    return;

  self->loading = loading;
  update_modules (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * sy_course_page_show_error:
 * @message: what went wrong, from the store
 *
 * Shows @message where the modules would be.
 */
void
sy_course_page_show_error (SyCoursePage *self,
                           const char   *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (SY_IS_COURSE_PAGE (self));
  g_return_if_fail (message != NULL);

  if (self->loading)
    {
      self->loading = FALSE;
      gtk_spinner_stop (self->spinner);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }

  escaped = g_markup_escape_text (message, -1);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->modules_stack, "error");
}

/* "%g" drops a useless ".0" and keeps "1.5", in the user's locale. */
static char *
format_hours (double hours)
{
  return g_strdup_printf ("%g", hours);
}

/**
 * sy_course_page_set_progress:
 * @progress: (nullable): the signed-in learner's progress in the course shown
 *
 * Shows the class hours studied and, once the course is completed, the button that
 * saves its certificate (`win.save-certificate`).
 */
void
sy_course_page_set_progress (SyCoursePage           *self,
                             const SyCourseProgress *progress)
{
  g_autofree char *studied = NULL;
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;
  double hours;

  g_return_if_fail (SY_IS_COURSE_PAGE (self));

  gtk_widget_set_visible (self->certificate_button,
                          progress != NULL && progress->completion_id != NULL);

  if (progress == NULL || progress->class_hours <= 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->studied_label), FALSE);
      return;
    }

  /* Rounded down to a tenth: never more than was studied, and never more than the
   * course is worth (time beyond it earns nothing more). */
  hours = MIN (floor (progress->seconds / SECONDS_PER_CLASS_HOUR * 10) / 10,
               progress->class_hours);
  studied = format_hours (hours);
  total = format_hours (round (progress->class_hours * 100) / 100);
  /* Translators: class hours studied in a course: "1.5 of 3 class hours studied" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s of %s class hour studied",
                                       "%s of %s class hours studied",
                                       progress->class_hours == 1 ? 1 : 2),
                          studied, total);
  gtk_label_set_label (self->studied_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->studied_label), TRUE);
}

/**
 * sy_course_page_focus_item:
 * @item_id: an item of the course shown
 *
 * Puts the keyboard focus on the item's row, as when coming back from it.
 */
void
sy_course_page_focus_item (SyCoursePage *self,
                           const char   *item_id)
{
  GtkWidget *row;

  g_return_if_fail (SY_IS_COURSE_PAGE (self));
  g_return_if_fail (item_id != NULL);

  row = g_hash_table_lookup (self->rows, item_id);
  if (row != NULL)
    gtk_widget_grab_focus (row);
}
