/* placeholder: replaced by the native layer implementation */
#include <jni.h>
__attribute__((visibility("default"))) jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)vm;
	(void)reserved;
	return JNI_VERSION_1_6;
}
